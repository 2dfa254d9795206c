package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.workflows.Templates;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A workflow run holds its whole worst case when it is submitted, on SQLite and PostgreSQL: concurrent runs of
 * an account can never spend the same credits, an accepted run never fails for credits, a refused run is 406 at
 * submit with nothing stored, run or charged, and what a run checks at submit (the request rate) counts once.
 */
class WorkflowCreditsIT {

    static final String TEMPLATE = "/workflows/" + Templates.EMBED_AND_COMPARE + "-v1";

    @ParameterizedTest
    @EnumSource(HearthServer.Store.class)
    void creditsForFiveRunsAndThirtyConcurrentSubmitsCompleteExactlyFiveAndRefuseTheRestAtSubmit(HearthServer.Store store) throws Exception {
        try (HearthServer server = HearthServer.start(store)) {
            // two embedding nodes at $0.0001 each: $0.001 pays for exactly five runs
            JsonNode acc = server.createAccount("racer", "enterprise", "0.001");
            String key = acc.get("api_key").asText();
            String accountId = acc.get("account_id").asText();
            List<Reply> replies = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Reply>> sent = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    int n = i;
                    sent.add(pool.submit(() -> {
                        go.await();
                        return server.post(TEMPLATE, key, Json.object().put("text_a", "run " + n).put("text_b", "another text " + n));
                    }));
                }
                go.countDown();
                for (Future<Reply> f : sent) replies.add(f.get());
            }
            List<String> accepted = replies.stream().filter(r -> r.status() == 200).map(r -> r.json().get("request_id").asText()).toList();
            List<Reply> refused = replies.stream().filter(r -> r.status() != 200).toList();
            assertThat(accepted).hasSize(5);
            assertThat(refused).hasSize(25).allSatisfy(r -> {
                assertThat(r.status()).as(r.body()).isEqualTo(406);
                assertThat(r.json().get("error").asText()).contains("Insufficient credits", "worst case of a run");
            });
            for (String run : accepted) {
                JsonNode end = finished(server, key, run);
                assertThat(end.get("status").asText()).as(end.toString()).isEqualTo("COMPLETED");
                assertThat(new BigDecimal(end.get("cost").asText())).isEqualByComparingTo("0.0002");
            }
            JsonNode credits = server.get("/v1/get-user-credits", key).json();
            assertThat(credits.get("credits").decimalValue().add(credits.get("free-credits").decimalValue())).isEqualByComparingTo("0");
            // refused runs left nothing behind, and every accepted run's hold ended with it
            int runs = server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM workflow_runs WHERE account_id = :a")
                    .bind("a", accountId).mapTo(Integer.class).one());
            assertThat(runs).isEqualTo(5);
            assertThat(openHolds(server, accountId)).isZero();
            assertThat(server.app.ledger.balance(accountId).held()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(HearthServer.Store.class)
    void aRunCountsOnceAgainstTheRequestRateWhateverItIsMadeOf(HearthServer.Store store) throws Exception {
        try (HearthServer server = HearthServer.start(store)) {
            JsonNode acc = server.createAccount("rated", "enterprise", "1");
            String key = acc.get("api_key").asText();
            Reply limit = server.send("PUT", "/admin/accounts/" + acc.get("account_id").asText() + "/limits", HearthServer.ADMIN_KEY,
                    "application/json", "{\"requests_per_minute\": 2}");
            assertThat(limit.status()).as(limit.body()).isEqualTo(200);
            // two runs of two model nodes each: two requests, not six
            for (int i = 0; i < 2; i++) {
                Reply r = server.post(TEMPLATE, key, Json.object().put("text_a", "a" + i).put("text_b", "b" + i));
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                assertThat(finished(server, key, r.json().get("request_id").asText()).get("status").asText()).isEqualTo("COMPLETED");
            }
            Reply third = server.post(TEMPLATE, key, Json.object().put("text_a", "a").put("text_b", "b"));
            assertThat(third.status()).as(third.body()).isEqualTo(429);
        }
    }

    static long openHolds(HearthServer server, String accountId) {
        return server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM credit_holds WHERE account_id = :a AND state = 'OPEN'")
                .bind("a", accountId).mapTo(Long.class).one());
    }

    static JsonNode finished(HearthServer server, String key, String runId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = server.get("/workflows/request/" + runId, key).json();
            String s = last[0].get("status").asText();
            return s.equals("COMPLETED") || s.equals("FAILED");
        });
        return last[0];
    }
}
