package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dynamic batching over HTTP with the real embedding models: concurrent callers of one model are gathered into
 * shared runner calls, and each caller still gets its own text's vector (compared with what the same text gets
 * alone), its own charge, once, and its own usage record. Two entries: the built-in int8 MiniLM with one slot and a
 * 20 ms window (so that batches surely form), whose batches loop one ONNX run per text and so are exact, and bge-small
 * with {@code paddedBatches}, one padded ONNX run per batch, close to alone (cosine measured in TextEmbedderTest).
 * The ledger invariants are checked when the server closes.
 */
class EmbeddingBatchingIT {

    static HearthServer server;
    static String key;
    static Path catalog;

    @BeforeAll
    static void start() throws IOException {
        catalog = Files.createTempDirectory("hearth-batching-catalog");
        entry("all-minilm-l6-v2", "all-minilm-l6-v2", "");
        entry("bge-small-en-v1.5", "bge-padded", "  paddedBatches: true\n");
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", catalog.toString()), Map.of());
        JsonNode acc = server.createAccount("batcher", "pro", "1");
        key = acc.get("api_key").asText();
        // the plan's limits would refuse a burst of concurrent callers before they reach the lane
        Reply limits = server.send("PUT", "/admin/accounts/" + acc.get("account_id").asText() + "/limits", HearthServer.ADMIN_KEY,
                "application/json", "{\"requests_per_minute\": 100000, \"concurrent_jobs\": 1000}");
        assertThat(limits.status()).as(limits.body()).isEqualTo(200);
    }

    /** The built-in entry with one slot and a 20 ms batch window, under {@code slug}, with extra runner lines. */
    private static void entry(String builtIn, String slug, String runnerLines) throws IOException {
        String yaml;
        try (var in = EmbeddingBatchingIT.class.getResourceAsStream("/models/" + builtIn + ".yaml")) {
            yaml = new String(in.readAllBytes());
        }
        if (!yaml.contains("  slots: 4\n") || !yaml.contains("\nrunner:\n")) throw new IllegalStateException(builtIn + ".yaml changed shape");
        yaml = yaml.replace("slug: " + builtIn, "slug: " + slug)
                .replace("  slots: 4\n", "  slots: 1\n  batch_window_ms: 20\n  max_batch: 8\n")
                .replace("\nrunner:\n", "\nrunner:\n" + runnerLines);
        Files.writeString(catalog.resolve(slug + ".yaml"), yaml);
    }

    @AfterAll
    static void stop() {
        server.close();
        HearthServer.deleteQuietly(catalog);
    }

    @ParameterizedTest
    @CsvSource({"all-minilm-l6-v2, 1.0", "bge-padded, 0.99"})
    void concurrentCallersGetTheirOwnVectorsAndPayOnceEach(String slug, double leastCosine) throws Exception {
        int callers = 24;
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < callers; i++) texts.add("Caller " + i + " wants to know about " + (i % 2 == 0 ? "cats on mats." : "quarterly revenue growth of " + i + "%."));
        // each text alone first: one caller at a time, so each call finds the lane idle and runs by itself
        List<double[]> alone = new ArrayList<>();
        for (String t : texts) alone.add(vector(post(slug, t)));
        long[] before = server.app.pool().runsAndJobs(slug);
        assertThat(before[0]).as("alone, every call was its own run").isEqualTo(before[1]);
        BigDecimal creditsBefore = credits();

        CountDownLatch go = new CountDownLatch(1);
        List<Future<Reply>> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            for (String t : texts) replies.add(pool.submit(() -> {
                go.await();
                return post(slug, t);
            }));
            go.countDown();
            Set<String> requestIds = new HashSet<>();
            for (int i = 0; i < callers; i++) {
                Reply r = replies.get(i).get(60, TimeUnit.SECONDS);
                double cosine = cosine(vector(r), alone.get(i));
                assertThat(cosine).as("caller %d", i).isGreaterThanOrEqualTo(leastCosine - 1e-6);
                // and its vector is its own text's, not a neighbour's in the same batch
                assertThat(cosine).isGreaterThan(cosine(vector(r), alone.get((i + 1) % callers)));
                assertThat(r.header("x-cost")).isEqualTo("0.0001");
                requestIds.add(r.header("x-request-id"));
            }
            assertThat(requestIds).hasSize(callers);
            long[] after = server.app.pool().runsAndJobs(slug);
            long runs = after[0] - before[0], jobs = after[1] - before[1];
            assertThat(jobs).isEqualTo(callers);
            assertThat(runs).as("concurrent callers shared runner calls").isLessThan(callers);
            // billed once each: the credits fell by exactly one price per caller, and each request has one charge
            assertThat(credits()).isEqualByComparingTo(creditsBefore.subtract(new BigDecimal("0.0001").multiply(BigDecimal.valueOf(callers))));
            for (String id : requestIds) {
                Integer charges = server.app.db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM ledger_entries WHERE request_id = :id AND kind = 'charge'").bind("id", id).mapTo(Integer.class).one());
                assertThat(charges).as(id).isEqualTo(1);
            }
            server.app.usage().flush();
            for (String id : requestIds) {
                Integer records = server.app.db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM usage_records WHERE request_id = :id AND status_code = 200").bind("id", id).mapTo(Integer.class).one());
                assertThat(records).as(id).isEqualTo(1);
            }
        }
    }

    /**
     * A dedicated endpoint of the batching MiniLM entry runs its jobs through the same lane with its catalog
     * model's batch settings: concurrent calls to it get exactly the catalog model's vectors, and its worker counts
     * every call it served (a batch is one slot's run, not one call).
     */
    @Test
    void aDedicatedEndpointOfABatchingModelGivesEachCallerItsOwnVector() throws Exception {
        JsonNode acc = server.createAccount("endpoint-batcher", "pro", "10");
        String owner = acc.get("api_key").asText();
        Reply limits = server.send("PUT", "/admin/accounts/" + acc.get("account_id").asText() + "/limits", HearthServer.ADMIN_KEY,
                "application/json", "{\"requests_per_minute\": 100000, \"concurrent_jobs\": 1000}");
        assertThat(limits.status()).as(limits.body()).isEqualTo(200);
        Reply added = server.post("/endpoint/add", owner, """
                {"endpoint_name": "my-minilm", "model_name": "all-minilm-l6-v2", "workers_min": 1, "workers_max": 1, "idle_timeout": 60}""");
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> "ready".equals(myEndpoint(owner).get("status").asText()));

        int callers = 16;
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < callers; i++) texts.add("Endpoint caller " + i + " embeds sentence " + (i * 3) + ".");
        List<double[]> alone = new ArrayList<>();
        for (String t : texts) alone.add(vector(post("all-minilm-l6-v2", t)));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Reply>> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            for (String t : texts) replies.add(pool.submit(() -> {
                go.await();
                return server.post("/v1/my-minilm", owner, Json.object().put("text", t));
            }));
            go.countDown();
            for (int i = 0; i < callers; i++) {
                Reply r = replies.get(i).get(60, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                assertThat(cosine(vector(r), alone.get(i))).as("caller %d", i).isGreaterThanOrEqualTo(1.0 - 1e-6);
            }
        }
        assertThat(myEndpoint(owner).get("workers").get(0).get("calls_served").asLong()).isEqualTo(callers);
    }

    private static JsonNode myEndpoint(String key) {
        for (JsonNode e : server.get("/endpoint/list", key).json().get("endpoints"))
            if (e.get("endpoint_name").asText().equals("my-minilm")) return e;
        throw new AssertionError("no endpoint my-minilm");
    }

    private static Reply post(String slug, String text) {
        Reply r = server.post("/v1/" + slug, key, Json.object().put("text", text));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }

    private static double[] vector(Reply r) {
        JsonNode v = r.json().get("embeddings").get(0);
        double[] d = new double[v.size()];
        for (int i = 0; i < d.length; i++) d[i] = v.get(i).asDouble();
        return d;
    }

    private static double cosine(double[] a, double[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static BigDecimal credits() {
        JsonNode c = server.get("/v1/get-user-credits", key).json();
        return c.get("credits").decimalValue().add(c.get("free-credits").decimalValue());
    }
}
