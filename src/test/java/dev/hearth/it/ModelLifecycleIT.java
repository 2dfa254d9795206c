package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Cold → booting → warm → cold (SPEC §4), one boot for many first calls, boot failures and pre-warming. */
class ModelLifecycleIT {

    static HearthServer server;
    static ScriptedRunners scripted = new ScriptedRunners();
    static String key;

    @BeforeAll
    static void start() throws IOException {
        Path catalog = ScriptedRunners.catalogDir();
        // the real MiniLM model with a 2 s idle timeout, so the test sees it unload
        HearthServer.writeQuicklyIdleEntry(catalog, "all-minilm-l6-v2");
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", catalog.toString()), Map.of("scripted", scripted));
        JsonNode acc = server.createAccount("life", "enterprise", "10");
        key = acc.get("api_key").asText();
        // a hundred simultaneous first calls: more than any plan allows at once by default
        Reply limits = server.send("PUT", "/admin/accounts/" + acc.get("account_id").asText() + "/limits", HearthServer.ADMIN_KEY,
                "application/json", "{\"requests_per_minute\": 10000, \"concurrent_jobs\": 200}");
        assertThat(limits.status()).as(limits.body()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String status(String slug) {
        return server.get("/v1/models/" + slug, key).json().get("status").asText();
    }

    @Test
    void aRealModelGoesColdWarmAndColdAgainAfterItsIdleTimeout() {
        assertThat(status("all-minilm-l6-v2")).isEqualTo("cold");
        assertThat(server.post("/v1/all-minilm-l6-v2", key, "{\"text\": \"wake up\"}").status()).isEqualTo(200);
        JsonNode warm = server.get("/v1/models/all-minilm-l6-v2", key).json();
        assertThat(warm.get("status").asText()).isEqualTo("warm");
        assertThat(warm.get("instances").asInt()).isEqualTo(1);
        assertThat(warm.get("boot_seconds").asDouble()).isPositive();
        assertThat(warm.get("last_used_at").asText()).isNotBlank();
        await().atMost(Duration.ofSeconds(20)).until(() -> status("all-minilm-l6-v2").equals("cold"));
        assertThat(server.get("/v1/models/all-minilm-l6-v2", key).json().get("instances").asInt()).isZero();
        // and it boots again on the next call
        assertThat(server.post("/v1/all-minilm-l6-v2", key, "{\"text\": \"again\"}").status()).isEqualTo(200);
        assertThat(server.app.pool().boots("all-minilm-l6-v2")).isEqualTo(2);
    }

    @Test
    void aHundredConcurrentFirstCallsWaitForOneBootAndTheStatusShowsBooting() throws Exception {
        int bootsBefore = scripted.boots.get();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Reply>> replies = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 100; i++) {
                replies.add(clients.submit(() -> {
                    go.await();
                    return server.post("/v1/scripted-slow-boot", key, "{}");
                }));
            }
            go.countDown();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> status("scripted-slow-boot").equals("booting"));
        }
        for (Future<Reply> f : replies) assertThat(f.get().status()).as(f.get().body()).isEqualTo(200);
        assertThat(scripted.boots.get() - bootsBefore).isEqualTo(1);
        assertThat(status("scripted-slow-boot")).isEqualTo("warm");
        // idle_timeout 1 s
        await().atMost(Duration.ofSeconds(15)).until(() -> status("scripted-slow-boot").equals("cold"));
    }

    @Test
    void aFailedBootFailsItsJobsWith503AndTheNextJobTriesAgain() {
        int before = scripted.boots.get();
        Reply r = server.post("/v1/scripted-boot-fails", key, "{}");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("retry-after")).isNotNull();
        JsonNode s = server.get("/v1/models/scripted-boot-fails", key).json();
        assertThat(s.get("status").asText()).isEqualTo("failed");
        assertThat(s.get("status_detail").asText()).contains("corrupt");
        assertThat(server.post("/v1/scripted-boot-fails", key, "{}").status()).isEqualTo(503);
        assertThat(scripted.boots.get() - before).isEqualTo(2);
    }

    @Test
    void preWarmingBootsAModelWithoutACallAndOnlyTheAdminMayDoIt() {
        assertThat(server.post("/v1/models/bge-small-en-v1.5/warm", key, "{}").status()).isEqualTo(403);
        assertThat(server.post("/v1/models/bge-small-en-v1.5/warm", HearthServer.ADMIN_KEY, "{}").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> status("bge-small-en-v1.5").equals("warm"));
    }
}
