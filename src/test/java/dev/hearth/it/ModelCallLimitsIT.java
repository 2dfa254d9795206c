package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.TestDatabases;
import dev.hearth.TestRedis;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "must hold" list of the limits issue, over real HTTP on model calls: the free plan's burst and its
 * 429, Retry-After honoured, one job at a time, the premium gate, and 100 calls over two gateways on one
 * Redis and one PostgreSQL admitting exactly 20. Needs the pipeline to call Limits (admitModelCall →
 * checkPremium → acquireJobSlot, and the verdict's headers on responses); enable it when that is wired.
 */
class ModelCallLimitsIT {

    static HearthServer server;
    static Path catalog;

    @BeforeAll
    static void start() throws IOException {
        catalog = catalogWithPremiumModel();
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", catalog.toString()),
                Map.of("scripted", new ScriptedRunners()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The scripted test models plus an operator's premium entry running the real bge-small-en-v1.5. */
    static Path catalogWithPremiumModel() throws IOException {
        Path dir = ScriptedRunners.catalogDir();
        String bge = new String(ModelCallLimitsIT.class.getResourceAsStream("/models/bge-small-en-v1.5.yaml").readAllBytes());
        Files.writeString(dir.resolve("premium-embeddings.yaml"),
                bge.replace("slug: bge-small-en-v1.5", "slug: premium-embeddings").replace("premium: false", "premium: true"));
        return dir;
    }

    static Reply echo(HearthServer s, String key) {
        return s.post("/v1/scripted-echo", key, "{}");
    }

    @Test
    void freeAccountBurstsFiveThenGets429WithHeadersThenPassesAfterRetryAfter() throws InterruptedException {
        String key = server.createAccount("burst", "free", "1").get("api_key").asText();
        for (int i = 0; i < 5; i++) {
            Reply r = echo(server, key);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.header("x-ratelimit-limit")).isEqualTo("5");
            assertThat(r.header("x-ratelimit-remaining")).isEqualTo(Integer.toString(4 - i));
            assertThat(r.header("x-ratelimit-reset")).isNotNull();
        }
        Reply refused = echo(server, key);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().get("error").asText()).contains("5 model calls per minute of plan 'free'");
        assertThat(refused.header("x-ratelimit-remaining")).isEqualTo("0");
        assertThat(refused.header("x-rate-limit-reset-at-utc")).isNotNull();
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 12L);
        Thread.sleep(retryAfter * 1000);
        assertThat(echo(server, key).status()).isEqualTo(200);
    }

    @Test
    void readsDoNotSpendModelCalls() {
        String key = server.createAccount("reads", "free", "1").get("api_key").asText();
        for (int i = 0; i < 20; i++) assertThat(server.get("/v1/models", key).status()).isEqualTo(200);
        assertThat(echo(server, key).header("x-ratelimit-remaining")).isEqualTo("4");
    }

    @Test
    void concurrencyOneRunsOneOfTwoSimultaneousCalls() throws Exception {
        String key = server.createAccount("one-at-a-time", "free", "1").get("api_key").asText();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Reply>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return server.post("/v1/scripted-slow", key, "{}");
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Reply> f : calls) statuses.add(f.get().status());
            assertThat(statuses).containsExactlyInAnyOrder(200, 429);
            Reply limited = calls.get(0).get().status() == 429 ? calls.get(0).get() : calls.get(1).get();
            assertThat(limited.json().get("error").asText()).contains("Concurrency limit reached");
            assertThat(limited.header("Retry-After")).isNotNull();
        }
    }

    @Test
    void aCallRefusedAtTheHoldGivesBackTheConcurrencyPlaceItTook() {
        // one concurrent job (plan free) and not a cent: the admission chain takes the place, then the hold refuses
        JsonNode broke = server.createAccount("broke", "free", "0");
        String key = broke.get("api_key").asText();
        for (int i = 0; i < 2; i++) {
            Reply refused = echo(server, key);
            assertThat(refused.status()).as(refused.body()).isEqualTo(406);
        }
        // had the first refusal kept its place, this call would be refused with 429 instead of running
        assertThat(server.grant(broke.get("account_id").asText(), "1", "paid", "broke-test").status()).isEqualTo(200);
        Reply paid = echo(server, key);
        assertThat(paid.status()).as(paid.body()).isEqualTo(200);
        assertThat(server.app.ledger.balance(broke.get("account_id").asText()).held()).isZero();
    }

    @Test
    void premiumNeedsAPaidPlanOrFiveDollars() {
        JsonNode poor = server.createAccount("premium-poor", "free", "1");
        String poorKey = poor.get("api_key").asText();
        Reply refused = server.post("/v1/premium-embeddings", poorKey, "{\"text\": \"hello\"}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("error").asText()).contains("premium model").contains("$5");

        assertThat(server.grant(poor.get("account_id").asText(), "5", "paid", "premium-test").status()).isEqualTo(200);
        assertThat(server.post("/v1/premium-embeddings", poorKey, "{\"text\": \"hello\"}").status()).isEqualTo(200);

        String pro = server.createAccount("premium-pro", "pro", "1").get("api_key").asText();
        assertThat(server.post("/v1/premium-embeddings", pro, "{\"text\": \"hello\"}").status()).isEqualTo(200);
        assertThat(server.post("/v1/bge-small-en-v1.5", poorKey, "{\"text\": \"hello\"}").status())
                .as("built-in embeddings are not premium").isEqualTo(200);
    }

    @Test
    void aHundredCallsOverTwoGatewaysPassTwentyTimes() throws Exception {
        TestDatabases.requirePostgres();
        TestRedis.requireRedis();
        String schema = TestDatabases.freshSchema();
        String prefix = TestRedis.freshPrefix();
        Map<String, String> shared = new HashMap<>(TestDatabases.postgresOverrides(schema));
        shared.put("limits.redis_url", TestRedis.URL);
        shared.put("limits.key_prefix", prefix);
        shared.put("catalog.dir", catalog.toString());
        try (HearthServer a = HearthServer.start(HearthServer.Store.SQLITE, shared, Map.of("scripted", new ScriptedRunners()));
             HearthServer b = HearthServer.start(HearthServer.Store.SQLITE, shared, Map.of("scripted", new ScriptedRunners()))) {
            JsonNode acc = a.createAccount("replicas", "free", "1");
            String key = acc.get("api_key").asText();
            Reply put = a.send("PUT", "/admin/accounts/" + acc.get("account_id").asText() + "/limits", HearthServer.ADMIN_KEY,
                    "application/json", "{\"requests_per_minute\": 20, \"concurrent_jobs\": 100}");
            assertThat(put.status()).as(put.body()).isEqualTo(200);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> replies = new ArrayList<>();
            long start;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 100; i++) {
                    HearthServer node = i % 2 == 0 ? a : b;
                    replies.add(pool.submit(() -> {
                        go.await();
                        return echo(node, key).status();
                    }));
                }
                start = System.nanoTime();
                go.countDown();
                int ok = 0;
                for (Future<Integer> r : replies) {
                    int status = r.get();
                    if (status == 200) ok++;
                    else assertThat(status).isEqualTo(429);
                }
                long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                assertThat(ok).as("admitted in %d ms", elapsedMillis).isBetween(20, 20 + (int) (elapsedMillis / 3000));
            }
        } finally {
            TestRedis.deleteKeys(TestRedis.URL, prefix);
            try (var c = java.sql.DriverManager.getConnection(TestDatabases.PG_URL, TestDatabases.PG_USER, "");
                 var st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
