package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.TestDatabases;
import dev.hearth.billing.LedgerInvariants;
import dev.hearth.http.Json;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Durability of v2 jobs with a real Hearth process: killed with SIGKILL in the middle of 30 jobs, or stopped
 * with SIGTERM, then started again on the same data folder. Every job must end, the ledger's charges must be
 * exactly the completed jobs' costs, and no request is charged twice. The same for workflow runs killed in
 * the middle: they resume from their finished nodes, and each node is charged at most once.
 */
class CrashRecoveryIT {

    static final String ADMIN = HearthServer.ADMIN_KEY;
    final HttpClient http = HttpClient.newHttpClient();
    Process process;
    Path data;
    int port;

    @AfterEach
    void cleanUp() throws Exception {
        if (process != null) process.destroyForcibly().waitFor();
        if (pgSchema != null) {
            try (Connection c = DriverManager.getConnection(TestDatabases.PG_URL, TestDatabases.PG_USER, "")) {
                c.createStatement().execute("DROP SCHEMA IF EXISTS " + pgSchema + " CASCADE");
            }
        }
        HearthServer.deleteQuietly(data);
    }

    /** The test's database, as the killed process left it. */
    private Jdbi database() {
        return pgSchema == null ? Jdbi.create("jdbc:sqlite:" + data.resolve("hearth.db"))
                : Jdbi.create(TestDatabases.PG_URL + "?currentSchema=" + pgSchema, TestDatabases.PG_USER, "");
    }

    @ParameterizedTest
    @EnumSource(HearthServer.Store.class)
    void killedWithSigkillInABurstOfCallsEveryAnsweredCallIsChargedOnceAndNothingElseButCallsInFlight(HearthServer.Store store)
            throws Exception {
        prepare();
        if (store == HearthServer.Store.POSTGRESQL) {
            TestDatabases.requirePostgres();
            pgSchema = TestDatabases.freshSchema();
        }
        startHearth();
        JsonNode acc = json(send("POST", "/admin/accounts", ADMIN, "{\"name\": \"burst\", \"plan\": \"enterprise\", \"free_credits\": 1}"));
        String key = acc.get("api_key").asText();
        String accountId = acc.get("account_id").asText();
        Set<String> answered = ConcurrentHashMap.newKeySet();
        AtomicInteger unanswered = new AtomicInteger();
        List<String> refused = new CopyOnWriteArrayList<>();
        AtomicBoolean killed = new AtomicBoolean();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            // 16 callers, each calling until the process is gone: the kill lands among calls queued, running and settling
            for (int t = 0; t < 16; t++) {
                int caller = t;
                callers.submit(() -> {
                    for (int i = 0; !killed.get(); i++) {
                        try {
                            HttpResponse<String> r = send("POST", "/v1/bge-small-en-v1.5", key, "{\"text\": \"burst " + caller + " " + i + "\"}");
                            if (r.statusCode() == 200) answered.add(r.headers().firstValue("x-request-id").orElseThrow());
                            else refused.add(r.statusCode() + " " + r.body());
                        } catch (IOException e) {
                            unanswered.incrementAndGet();   // the connection died with the process: in flight, never answered
                            return null;
                        }
                    }
                    return null;
                });
            }
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> answered.size() >= 100);
            } finally {
                process.destroyForcibly().waitFor();      // SIGKILL: no shutdown hook, no drain
                killed.set(true);
            }
        }
        assertThat(refused).isEmpty();
        Set<String> answeredAtKill = Set.copyOf(answered);
        startHearth();                                    // the restart on the same data changes no charge
        Map<String, Integer> charges = new HashMap<>();
        database().useHandle(h -> h.createQuery("SELECT request_id, COUNT(*) FROM ledger_entries WHERE kind = 'charge' AND account_id = :a "
                + "GROUP BY request_id").bind("a", accountId).map((rs, c) -> charges.put(rs.getString(1), rs.getInt(2))).list());
        // every call answered 200 is charged exactly once
        for (String id : answeredAtKill) assertThat(charges.get(id)).as("charges of answered call " + id).isEqualTo(1);
        // anything else charged is a call that was in flight and never answered: at most one per caller cut off
        Set<String> others = new HashSet<>(charges.keySet());
        others.removeAll(answeredAtKill);
        assertThat(others.size()).as("charged but never answered").isLessThanOrEqualTo(unanswered.get());
        assertThat(charges.values()).allMatch(n -> n == 1);
        LedgerInvariants.check(database(), pgSchema != null);
    }

    /** PostgreSQL schema of the current test, or null on SQLite (the data folder's hearth.db). */
    String pgSchema;

    private void startHearth() throws Exception {
        Path catalog = data.resolve("catalog");
        if (!Files.exists(catalog)) {
            Files.createDirectories(catalog);
            // one slot and no batching, so the 30 jobs run one after another and the kill lands in the middle of them
            String bge = new String(getClass().getResourceAsStream("/models/bge-small-en-v1.5.yaml").readAllBytes()).replace("slots: 4", "slots: 1\n  max_batch: 1");
            Files.writeString(catalog.resolve("bge.yaml"), bge);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), "dev.hearth.Hearth", "serve",
                "--port", String.valueOf(port), "--data", data.toString());
        Map<String, String> env = pb.environment();
        env.put("HEARTH_ADMIN_KEY", ADMIN);
        env.put("HEARTH_CATALOG_DIR", catalog.toString());
        env.put("HEARTH_SERVER_HOST", "127.0.0.1");
        // the test polls 30 request statuses per round; the read limit (600 a minute) is not what it tests
        env.put("HEARTH_LIMITS_READ_REQUESTS_PER_MINUTE", "1000000");
        if (pgSchema != null) {
            env.put("HEARTH_DATABASE_URL", TestDatabases.PG_URL);
            env.put("HEARTH_DATABASE_USER", TestDatabases.PG_USER);
            env.put("HEARTH_DATABASE_SCHEMA", pgSchema);
        }
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("hearth.log").toFile()));
        process = pb.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> send("GET", "/health/ready", null, null).statusCode() == 200);
    }

    private HttpResponse<String> send(String method, String path, String key, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        if (key != null) b.header("x-api-key", key);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }

    private record Setup(String accountId, String key, List<String> ids) {
    }

    private Setup submitThirtyJobs() throws Exception {
        JsonNode acc = json(send("POST", "/admin/accounts", ADMIN, "{\"name\": \"durable\", \"plan\": \"enterprise\", \"free_credits\": 1}"));
        String key = acc.get("api_key").asText();
        String text = "durability ".repeat(600);  // about 512 tokens: long enough that 30 jobs take seconds
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = send("POST", "/v2/bge-small-en-v1.5", key, "{\"text\": \"" + i + " " + text + "\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            ids.add(json(r).get("request_id").asText());
        }
        return new Setup(acc.get("account_id").asText(), key, ids);
    }

    private Map<String, String> statuses(Setup s) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (String id : s.ids) out.put(id, json(send("GET", "/v2/requests/" + id + "/status", s.key, null)).get("status").asText());
        return out;
    }

    private long completed(Setup s) throws Exception {
        return statuses(s).values().stream().filter("COMPLETED"::equals).count();
    }

    private void assertAllEndedAndChargedExactlyOnce(Setup s) throws Exception {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> statuses(s).values().stream().allMatch(v -> v.equals("COMPLETED") || v.equals("FAILED") || v.equals("CANCELED")));
        BigDecimal sumOfCompletedCosts = BigDecimal.ZERO;
        List<String> completedIds = new ArrayList<>();
        for (String id : s.ids) {
            HttpResponse<String> r = send("GET", "/v2/requests/" + id, s.key, null);
            JsonNode j = json(r);
            if (j.get("status").asText().equals("COMPLETED")) {
                sumOfCompletedCosts = sumOfCompletedCosts.add(j.get("metrics").get("cost").decimalValue());
                completedIds.add(id);
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("hearth.db"))) {
            ResultSet rs = c.createStatement().executeQuery(
                    "SELECT request_id, COUNT(*), SUM(amount) FROM ledger_entries WHERE kind = 'charge' AND account_id = '" + s.accountId + "' GROUP BY request_id");
            List<String> charged = new ArrayList<>();
            long total = 0;
            while (rs.next()) {
                assertThat(rs.getInt(2)).as("charges for " + rs.getString(1)).isEqualTo(1);
                charged.add(rs.getString(1));
                total -= rs.getLong(3);
            }
            assertThat(charged).containsExactlyInAnyOrderElementsOf(completedIds);
            assertThat(BigDecimal.valueOf(total, 9)).isEqualByComparingTo(sumOfCompletedCosts);
            ResultSet held = c.createStatement().executeQuery("SELECT held, free_balance FROM accounts WHERE id = '" + s.accountId + "'");
            assertThat(held.next()).isTrue();
            assertThat(held.getLong(1)).isZero();
            assertThat(BigDecimal.valueOf(1_000_000_000L - held.getLong(2), 9)).isEqualByComparingTo(sumOfCompletedCosts);
        }
        LedgerInvariants.check(Jdbi.create("jdbc:sqlite:" + data.resolve("hearth.db")), false);
    }

    private void prepare() throws IOException {
        data = Files.createTempDirectory("hearth-crash");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    @Test
    void killedWithSigkillInTheMiddleThenRestartedEveryJobEndsAndNothingIsChargedTwice() throws Exception {
        prepare();
        startHearth();
        Setup s = submitThirtyJobs();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> completed(s) >= 3);
        process.destroyForcibly().waitFor();          // SIGKILL: no shutdown hook runs
        assertThat(process.exitValue()).isNotZero();
        startHearth();
        assertAllEndedAndChargedExactlyOnce(s);
        assertThat(completed(s)).isEqualTo(30);
    }

    @Test
    void stoppedWithSigtermQueuedJobsWaitForTheNextStart() throws Exception {
        prepare();
        startHearth();
        Setup s = submitThirtyJobs();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> completed(s) >= 3);
        process.destroy();                            // SIGTERM: drain, then stop
        assertThat(process.waitFor()).isIn(0, 143);
        String log = Files.readString(data.resolve("hearth.log"));
        assertThat(log).doesNotContain("Exception in thread");
        startHearth();
        assertAllEndedAndChargedExactlyOnce(s);
        assertThat(completed(s)).isEqualTo(30);
    }

    @Test
    void workflowRunsKilledWithSigkillResumeAndChargeEachNodeOnce() throws Exception {
        prepare();
        startHearth();
        JsonNode acc = json(send("POST", "/admin/accounts", ADMIN, "{\"name\": \"flows\", \"plan\": \"enterprise\", \"free_credits\": 1}"));
        String accountId = acc.get("account_id").asText();
        String key = acc.get("api_key").asText();
        String text = "durability ".repeat(600);  // long texts: each embedding node takes a moment, one at a time (slots: 1)
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = send("POST", "/workflows/wftemplateembedandcompare-v1", key,
                    Json.object().put("text_a", i + " " + text).put("text_b", text + " " + i).toString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            runs.add(json(r).get("request_id").asText());
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> runsIn(key, runs, "COMPLETED") >= 2);
        int doneBeforeKill = runsIn(key, runs, "COMPLETED");
        process.destroyForcibly().waitFor();          // SIGKILL, with runs finished, running and not started
        assertThat(doneBeforeKill).as("runs still to do when killed").isLessThan(runs.size());
        startHearth();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> runsIn(key, runs, "COMPLETED") + runsIn(key, runs, "FAILED") == runs.size());

        // every node's request is charged at most once, and each run's charges are the cost it reports
        BigDecimal reported = BigDecimal.ZERO;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("hearth.db"))) {
            for (String run : runs) {
                JsonNode poll = json(send("GET", "/workflows/request/" + run, key, null));
                BigDecimal cost = new BigDecimal(poll.get("cost").asText());
                reported = reported.add(cost);
                if (poll.get("status").asText().equals("COMPLETED")) assertThat(cost).isEqualByComparingTo("0.0002");
                ResultSet rs = c.createStatement().executeQuery("SELECT request_id, COUNT(*), SUM(amount) FROM ledger_entries WHERE kind = 'charge' "
                        + "AND request_id LIKE '" + run + "-%' GROUP BY request_id");
                long charged = 0;
                while (rs.next()) {
                    assertThat(rs.getInt(2)).as("charges for " + rs.getString(1)).isEqualTo(1);
                    charged -= rs.getLong(3);
                }
                assertThat(BigDecimal.valueOf(charged, 9)).as("charges of " + run).isEqualByComparingTo(cost);
            }
            ResultSet b = c.createStatement().executeQuery("SELECT free_balance, held FROM accounts WHERE id = '" + accountId + "'");
            assertThat(b.next()).isTrue();
            assertThat(BigDecimal.valueOf(1_000_000_000L - b.getLong(1), 9)).isEqualByComparingTo(reported);
            // no hold outlives its run: each run's one hold, charged by its nodes before and after the kill, ended with it
            assertThat(b.getLong(2)).as("held after every run ended").isZero();
            ResultSet open = c.createStatement().executeQuery("SELECT COUNT(*) FROM credit_holds WHERE state = 'OPEN' AND account_id = '" + accountId + "'");
            assertThat(open.next()).isTrue();
            assertThat(open.getInt(1)).as("open holds after every run ended").isZero();
        }
        LedgerInvariants.check(Jdbi.create("jdbc:sqlite:" + data.resolve("hearth.db")), false);
        // a run is failed only in the one case that cannot be resumed without risk: a node charged whose result was lost
        assertThat(runsIn(key, runs, "COMPLETED")).isGreaterThanOrEqualTo(runs.size() - 1);
    }

    private int runsIn(String key, List<String> runs, String status) throws Exception {
        int n = 0;
        for (String run : runs) if (json(send("GET", "/workflows/request/" + run, key, null)).get("status").asText().equals(status)) n++;
        return n;
    }
}
