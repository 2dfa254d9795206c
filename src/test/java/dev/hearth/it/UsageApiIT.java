package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.billing.EntryKind;
import dev.hearth.billing.LedgerEntry;
import dev.hearth.billing.Money;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.usage.UsageDays;
import dev.hearth.usage.UsageRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /v1/usage} and {@code GET /admin/usage} (SPEC §7) on SQLite and PostgreSQL, over real HTTP with the
 * scripted echo model ($0.01 per call): the shape, the default 30-day range, date validation, the model
 * filter, that an account never sees another's usage, that a call is counted the moment it answered (no flush
 * in between), and that usage totals equal the ledger's posted charges after 1,000 calls from 3 accounts.
 */
class UsageApiIT {

    private static final String ECHO = "scripted-echo";

    private static HearthServer start(HearthServer.Store store) throws IOException {
        Map<String, String> o = new HashMap<>();
        o.put("catalog.dir", ScriptedRunners.catalogDir().toString());
        // limits never bind here: this measures usage, not the rate limiter
        o.put("plans.unlimited.requests_per_minute", "1000000000");
        o.put("plans.unlimited.concurrent_jobs", "100000");
        o.put("plans.unlimited.paid", "true");
        return HearthServer.start(store, o, Map.of("scripted", new ScriptedRunners()));
    }

    private static String today() {
        return LocalDate.now(ZoneOffset.UTC).toString();
    }

    private static void call(HearthServer server, String key, String model, int expectedStatus) {
        Reply r = server.post("/v1/" + model, key, "{}");
        assertThat(r.status()).as(r.body()).isEqualTo(expectedStatus);
    }

    @ParameterizedTest
    @EnumSource(HearthServer.Store.class)
    void usageIsCurrentPerAccountFilteredAndValidated(HearthServer.Store store) throws IOException {
        try (HearthServer server = start(store)) {
            JsonNode a = server.createAccount("alice", "pro", "1");
            JsonNode b = server.createAccount("bob", "pro", "1");
            String keyA = a.get("api_key").asText();
            String keyB = b.get("api_key").asText();
            String accA = a.get("account_id").asText();

            for (int i = 0; i < 3; i++) call(server, keyA, ECHO, 200);
            call(server, keyA, "scripted-throws", 500);   // failed: not billed, not an inference
            call(server, keyB, ECHO, 200);

            // read at once, without flushing: the read waits for the records of calls that already answered
            JsonNode u = server.get("/v1/usage", keyA).json();
            assertThat(u.get("credits").decimalValue()).isEqualByComparingTo("0");
            assertThat(u.get("free-credits").decimalValue()).isEqualByComparingTo("0.97");
            assertThat(u.get("requests_today").asLong()).isEqualTo(3);
            assertThat(u.get("requests_total").asLong()).isEqualTo(3);
            assertThat(u.get("from").asText()).isEqualTo(LocalDate.now(ZoneOffset.UTC).minusDays(29).toString());
            assertThat(u.get("to").asText()).isEqualTo(today());
            assertThat(u.get("rows")).hasSize(1);
            JsonNode row = u.get("rows").get(0);
            assertThat(row.get("date").asText()).isEqualTo(today());
            assertThat(row.get("model").asText()).isEqualTo(ECHO);
            assertThat(row.get("inferences").asLong()).isEqualTo(3);
            assertThat(row.get("amount").decimalValue()).isEqualByComparingTo("0.03");
            assertThat(row.has("failed")).as("the account's rows carry exactly date, model, inferences, amount").isFalse();

            // bob sees only his own call
            JsonNode ub = server.get("/v1/usage", keyB).json();
            assertThat(ub.get("requests_total").asLong()).isEqualTo(1);
            assertThat(ub.get("rows")).hasSize(1);
            assertThat(ub.get("rows").get(0).get("inferences").asLong()).isEqualTo(1);

            // the model filter narrows the rows; the account's counters stay account-wide
            JsonNode other = server.get("/v1/usage?model=all-minilm-l6-v2", keyA).json();
            assertThat(other.get("rows")).isEmpty();
            assertThat(other.get("requests_today").asLong()).isEqualTo(3);
            assertThat(server.get("/v1/usage?model=" + ECHO, keyA).json().get("rows")).hasSize(1);

            // older records: 10 days ago is in the default range, 40 days ago only when asked for
            long now = System.currentTimeMillis();
            record(server, accA, ECHO, now - 10 * UsageDays.MILLIS_PER_DAY, 200, Money.fromUsd(new BigDecimal("0.5")));
            record(server, accA, ECHO, now - 40 * UsageDays.MILLIS_PER_DAY, 200, Money.fromUsd(new BigDecimal("0.25")));
            JsonNode recent = server.get("/v1/usage", keyA).json();
            assertThat(recent.get("rows")).hasSize(2);
            assertThat(recent.get("rows").get(0).get("date").asText()).isEqualTo(LocalDate.now(ZoneOffset.UTC).minusDays(10).toString());
            assertThat(recent.get("requests_total").asLong()).isEqualTo(5);
            String from = LocalDate.now(ZoneOffset.UTC).minusDays(45).toString();
            String to = LocalDate.now(ZoneOffset.UTC).minusDays(35).toString();
            JsonNode old = server.get("/v1/usage?from=" + from + "&to=" + to, keyA).json();
            assertThat(old.get("rows")).hasSize(1);
            assertThat(old.get("rows").get(0).get("amount").decimalValue()).isEqualByComparingTo("0.25");
            assertThat(old.get("from").asText()).isEqualTo(from);

            // bad dates: 422 naming the parameter, on every spelling of wrong
            for (String q : new String[]{"from=2025-13-01", "to=2025-02-30", "from=yesterday", "from=2025-1-1", "from=2025-03-02&to=2025-03-01"}) {
                Reply bad = server.get("/v1/usage?" + q, keyA);
                assertThat(bad.status()).as(q).isEqualTo(422);
                assertThat(bad.json().get("error").asText()).as(q).containsAnyOf("from:", "to:");
            }

            // who may read what
            assertThat(server.get("/v1/usage", null).status()).isEqualTo(401);
            assertThat(server.get("/v1/usage", HearthServer.ADMIN_KEY).status()).isEqualTo(403);
            assertThat(server.get("/admin/usage", keyA).status()).isEqualTo(403);
            assertThat(server.get("/admin/usage?account_id=acc_nope", HearthServer.ADMIN_KEY).status()).isEqualTo(404);

            // the operator: one account in the same shape plus failures, and all accounts
            JsonNode adminA = server.get("/admin/usage?account_id=" + accA, HearthServer.ADMIN_KEY).json();
            assertThat(adminA.get("account_id").asText()).isEqualTo(accA);
            assertThat(adminA.get("requests_today").asLong()).isEqualTo(3);
            JsonNode todayEcho = null;
            for (JsonNode r : adminA.get("rows")) if (r.get("date").asText().equals(today()) && r.get("model").asText().equals(ECHO)) todayEcho = r;
            assertThat(todayEcho).isNotNull();
            assertThat(todayEcho.get("inferences").asLong()).isEqualTo(3);
            assertThat(todayEcho.get("failed").asLong()).isZero();
            JsonNode failedRow = server.get("/admin/usage?account_id=" + accA + "&model=scripted-throws", HearthServer.ADMIN_KEY).json().get("rows").get(0);
            assertThat(failedRow.get("failed").asLong()).isEqualTo(1);
            assertThat(failedRow.get("inferences").asLong()).isZero();
            JsonNode all = server.get("/admin/usage?model=" + ECHO + "&from=" + today() + "&to=" + today(), HearthServer.ADMIN_KEY).json();
            assertThat(all.get("rows")).hasSize(1);
            assertThat(all.get("rows").get(0).get("inferences").asLong()).isEqualTo(4);
            assertThat(all.get("accounts").findValuesAsText("account_id")).containsExactlyInAnyOrder(accA, b.get("account_id").asText());
            assertThat(all.get("requests_today").asLong()).isEqualTo(4);
        }
    }

    private static void record(HearthServer server, String accountId, String model, long finishedAt, int status, long cost) {
        server.app.usage().record(new UsageRecord(UUID.randomUUID().toString(), accountId, null, model, null, null,
                finishedAt - 5, finishedAt - 3, finishedAt, 2, 3, status, cost, null));
    }

    @ParameterizedTest
    @EnumSource(HearthServer.Store.class)
    void usageTotalsEqualTheLedgersChargesAfterAThousandCallsFromThreeAccounts(HearthServer.Store store) throws Exception {
        try (HearthServer server = start(store)) {
            List<String[]> accounts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                JsonNode acc = server.createAccount("load-" + i, "unlimited", "0");
                String id = acc.get("account_id").asText();
                assertThat(server.grant(id, "20", "paid", "usage-load-" + i).status()).isEqualTo(200);
                accounts.add(new String[]{id, acc.get("api_key").asText()});
            }
            int calls = 1000;
            List<Future<Integer>> done = new ArrayList<>();
            try (ExecutorService clients = Executors.newFixedThreadPool(8)) {
                for (int i = 0; i < calls; i++) {
                    String k = accounts.get(i % 3)[1];
                    done.add(clients.submit(() -> server.post("/v1/" + ECHO, k, "{}").status()));
                }
            }
            for (Future<Integer> f : done) assertThat(f.get()).isEqualTo(200);

            long totalUsage = 0;
            long totalInferences = 0;
            for (String[] acc : accounts) {
                JsonNode u = server.get("/v1/usage", acc[1]).json();
                long usage = 0;
                long inferences = 0;
                for (JsonNode r : u.get("rows")) {
                    usage += Money.fromUsd(r.get("amount").decimalValue());
                    inferences += r.get("inferences").asLong();
                }
                long charged = -server.app.ledger.entries(acc[0], 10_000).stream().filter(e -> e.kind() == EntryKind.CHARGE)
                        .mapToLong(LedgerEntry::amount).sum();
                assertThat(usage).as("usage amount of %s equals its posted charges", acc[0]).isEqualTo(charged);
                assertThat(inferences).isEqualTo(u.get("requests_today").asLong());
                totalUsage += usage;
                totalInferences += inferences;
            }
            assertThat(totalInferences).isEqualTo(calls);
            assertThat(totalUsage).isEqualTo(Money.fromUsd(new BigDecimal("0.01")) * calls);
            JsonNode all = server.get("/admin/usage", HearthServer.ADMIN_KEY).json();
            assertThat(all.get("requests_total").asLong()).isEqualTo(calls);
        }
    }

    @org.junit.jupiter.api.Test
    void parametersAreStoredOnlyWhenTheOperatorTurnsItOn() throws IOException {
        for (boolean on : new boolean[]{false, true}) {
            Map<String, String> o = new HashMap<>();
            o.put("catalog.dir", ScriptedRunners.catalogDir().toString());
            o.put("logging.store_parameters", Boolean.toString(on));
            try (HearthServer server = HearthServer.start(HearthServer.Store.SQLITE, o, Map.of("scripted", new ScriptedRunners()))) {
                String key = server.createAccount("params", "pro", "1").get("api_key").asText();
                Reply r = server.post("/v1/" + ECHO, key, "{\"prompt\": \"a fox in the snow\", \"seed\": 7}");
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                server.app.usage().flush();
                String stored = server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT parameters FROM usage_records WHERE request_id = :id")
                        .bind("id", r.header("x-request-id")).mapTo(String.class).one());
                if (on) assertThat(stored).contains("a fox in the snow");
                else assertThat(stored).as("store_parameters off").isNull();
            }
        }
    }
}
