package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.TestDatabases;
import dev.hearth.TestRedis;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
 * Two Hearth gateways on one PostgreSQL schema and one Redis, as two replicas behind a load balancer: an
 * account limited to 20 reads a minute sends 100 at once, spread over both, and exactly 20 pass — the limit
 * does not multiply with the number of replicas. (Model calls take the same path once the pipeline calls
 * {@code Limits.admitModelCall}; TwoNodesTest covers them at the Limits level.)
 */
class TwoGatewaysIT {

    @Test
    void aHundredReadsOverTwoGatewaysPassTwentyTimes() throws Exception {
        TestDatabases.requirePostgres();
        TestRedis.requireRedis();
        String schema = TestDatabases.freshSchema();
        String prefix = TestRedis.freshPrefix();
        Map<String, String> shared = new HashMap<>(TestDatabases.postgresOverrides(schema));
        shared.put("limits.redis_url", TestRedis.URL);
        shared.put("limits.key_prefix", prefix);
        try (HearthServer a = HearthServer.start(HearthServer.Store.SQLITE, shared, Map.of());
             HearthServer b = HearthServer.start(HearthServer.Store.SQLITE, shared, Map.of())) {
            JsonNode acc = a.createAccount("replicas", "free", "1");
            String accountId = acc.get("account_id").asText();
            String key = acc.get("api_key").asText();
            HearthServer.Reply put = a.send("PUT", "/admin/accounts/" + accountId + "/limits", HearthServer.ADMIN_KEY,
                    "application/json", "{\"read_requests_per_minute\": 20}");
            assertThat(put.status()).as(put.body()).isEqualTo(200);

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> replies = new ArrayList<>();
            long start;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 100; i++) {
                    String base = (i % 2 == 0 ? a : b).base;
                    replies.add(pool.submit(() -> {
                        go.await();
                        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/models")).header("x-api-key", key)
                                .timeout(Duration.ofSeconds(60)).GET().build();
                        return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
                    }));
                }
                start = System.nanoTime();
                go.countDown();
                int ok = 0;
                int limited = 0;
                for (Future<Integer> r : replies) {
                    int status = r.get();
                    if (status == 200) ok++;
                    else if (status == 429) limited++;
                    else throw new AssertionError("unexpected status " + status);
                }
                long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                // 20/min gives one read back every 3 s; a run that ends within 3 s (the usual case) admits exactly 20
                assertThat(ok).as("admitted in %d ms", elapsedMillis).isBetween(20, 20 + (int) (elapsedMillis / 3000));
                assertThat(ok + limited).isEqualTo(100);
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
