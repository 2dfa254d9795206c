package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The built-in embedding model served by real {@code hearth worker} processes that the gateway starts, stops
 * and restarts itself ({@code worker-process} runner over Cog's protocol): the same vectors as in process, a
 * worker that dies mid-job, and scale to zero after the idle timeout.
 */
class WorkerProcessIT {

    static HearthServer server;
    static String key;
    static String accountId;

    @BeforeAll
    static void start() throws IOException {
        Path catalog = Files.createTempDirectory("hearth-workers");
        String bge = new String(WorkerProcessIT.class.getResourceAsStream("/models/bge-small-en-v1.5.yaml").readAllBytes());
        String schema = bge.substring(bge.indexOf("input_schema:"));
        for (String slug : List.of("bge-worker-idle", "bge-worker-kill")) {
            Files.writeString(catalog.resolve(slug + ".yaml"), """
                    slug: %s
                    title: bge-small-en-v1.5 in a worker process
                    category: embeddings
                    pricing: {type: per_call, price: 0.0001, multiply_by: [input]}
                    runner:
                      type: worker-process
                      command: ["{java}", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                                "-cp", "{classpath}",
                                "dev.hearth.Hearth", "worker", "--model", "bge-small-en-v1.5", "--port", "{port}"]
                      boot_timeout: 180
                    scaling: {idle_timeout: %d, slots: 1, execution_timeout: 180}
                    """.formatted(slug, slug.endsWith("idle") ? 2 : 300) + schema);
        }
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", catalog.toString()), Map.of());
        JsonNode acc = server.createAccount("workers", "enterprise", "5");
        key = acc.get("api_key").asText();
        accountId = acc.get("account_id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode status(String slug) {
        return server.get("/v1/models/" + slug, key).json();
    }

    /** The processes this JVM has started that are alive now (the gateway's worker processes). */
    static List<ProcessHandle> children() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
    }

    /** Those of {@code now} that were not among {@code before}: what a boot started. */
    static List<ProcessHandle> started(List<ProcessHandle> before, List<ProcessHandle> now) {
        return now.stream().filter(p -> before.stream().noneMatch(b -> b.pid() == p.pid())).toList();
    }

    static BigDecimal credits() {
        JsonNode c = server.get("/v1/get-user-credits", key).json();
        return c.get("credits").decimalValue().add(c.get("free-credits").decimalValue());
    }

    /** Calls the model in the background and watches its status until the call ends; returns reply and statuses seen. */
    static Reply callWatchingStatus(String slug, String body, java.util.Set<String> seen) throws Exception {
        CompletableFuture<Reply> call = CompletableFuture.supplyAsync(() -> server.post("/v1/" + slug, key, body));
        while (!call.isDone()) {
            JsonNode s = status(slug);
            seen.add(s.get("status").asText());
            if ("booting".equals(s.get("status").asText()) && s.hasNonNull("status_detail")) seen.add("detail: " + s.get("status_detail").asText());
            Thread.sleep(50);
        }
        return call.get();
    }

    @Test
    void theWorkerGivesTheSameVectorsBootsOnDemandAndStopsAfterItsIdleTimeout() throws Exception {
        String slug = "bge-worker-idle";
        assertThat(status(slug).get("status").asText()).isEqualTo("cold");
        assertThat(status(slug).get("instances").asInt()).isZero();
        String body = "{\"input\": [\"The cat sits on the mat.\", \"Quarterly revenue grew by 8%.\"]}";

        List<ProcessHandle> before = children();
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        Reply viaWorker = callWatchingStatus(slug, body, seen);
        assertThat(viaWorker.status()).as(viaWorker.body()).isEqualTo(200);
        List<ProcessHandle> running = started(before, children());
        assertThat(running).hasSize(1);
        JsonNode warm = status(slug);
        assertThat(warm.get("status").asText()).isEqualTo("warm");
        assertThat(warm.get("instances").asInt()).isEqualTo(1);
        assertThat(seen).contains("booting");
        assertThat(seen).anyMatch(s -> s.startsWith("detail: ") && s.contains("worker pid"));
        assertThat(viaWorker.header("x-cost")).isEqualTo("0.0002");

        Reply inProcess = server.post("/v1/bge-small-en-v1.5", key, body);
        assertThat(inProcess.status()).isEqualTo(200);
        JsonNode a = viaWorker.json().get("embeddings");
        JsonNode b = inProcess.json().get("embeddings");
        assertThat(a).hasSize(2);
        for (int t = 0; t < 2; t++) {
            assertThat(a.get(t)).hasSize(384);
            for (int i = 0; i < 384; i++) assertThat((float) a.get(t).get(i).asDouble()).isEqualTo((float) b.get(t).get(i).asDouble());
        }
        assertThat(viaWorker.json().get("tokens").asInt()).isEqualTo(inProcess.json().get("tokens").asInt());


        // idle_timeout 2 s: the model goes cold and its process is stopped (scale to zero)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> status(slug).get("status").asText().equals("cold"));
        await().atMost(Duration.ofSeconds(20)).until(() -> running.stream().noneMatch(ProcessHandle::isAlive));
        assertThat(status(slug).get("instances").asInt()).isZero();

        // the next job boots a new worker: cold → booting → warm again
        java.util.Set<String> again = new java.util.LinkedHashSet<>();
        Reply second = callWatchingStatus(slug, "{\"text\": \"again\"}", again);
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        assertThat(again).contains("booting");
        assertThat(status(slug).get("status").asText()).isEqualTo("warm");
        assertThat(server.app.pool().boots(slug)).isEqualTo(2);
    }

    @Test
    void aWorkerKilledMidJobFailsTheJobUnchargedAndTheNextJobBootsANewOne() throws Exception {
        String slug = "bge-worker-kill";
        List<ProcessHandle> others = children();
        assertThat(server.post("/v1/" + slug, key, "{\"text\": \"boot\"}").status()).isEqualTo(200);
        List<ProcessHandle> worker = started(others, children());
        assertThat(worker).hasSize(1);
        BigDecimal creditsBefore = credits();

        // about 64 × 512 tokens: seconds of work, so the kill lands while the worker is inside the job
        StringBuilder texts = new StringBuilder("{\"input\": [");
        for (int i = 0; i < 64; i++) texts.append(i == 0 ? "" : ", ").append('"').append(i).append(" durability".repeat(600)).append('"');
        texts.append("]}");
        CompletableFuture<Reply> job = CompletableFuture.supplyAsync(() -> server.post("/v1/" + slug, key, texts.toString()));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> status(slug).get("busy").asInt() == 1);
        Thread.sleep(700);
        assertThat(job).isNotDone();
        ProcessHandle victim = worker.getFirst();
        assertThat(victim.isAlive()).isTrue();
        victim.destroyForcibly();

        Reply failed = job.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(failed.status()).as(failed.body()).isIn(500, 503);
        assertThat(failed.json().get("error").asText()).containsAnyOf("exited", "went away", "no worker");
        assertThat(credits()).isEqualByComparingTo(creditsBefore);
        assertThat(server.app.ledger.balance(accountId).held()).isZero();

        long boots = server.app.pool().boots(slug);
        Reply next = server.post("/v1/" + slug, key, "{\"text\": \"after the crash\"}");
        assertThat(next.status()).as(next.body()).isEqualTo(200);
        assertThat(server.app.pool().boots(slug)).isEqualTo(boots + 1);
        assertThat(victim.isAlive()).isFalse();
        assertThat(started(others, children())).hasSize(1).noneMatch(p -> p.pid() == victim.pid());
        assertThat(next.header("x-cost")).isEqualTo("0.0001");
    }
}
