package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.HearthApp;
import dev.hearth.config.ConfigLoader;
import dev.hearth.http.Json;
import dev.hearth.usage.UsageDays;
import dev.hearth.usage.UsageReports;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code GET /v1/usage} for one account with a million usage records (SPEC §7: "stays fast at millions of
 * records"). The records are inserted in bulk in the setup, spread over 400 days and three models, and the
 * daily aggregates are built from them with the same SQL as the V4 migration. Three measurements, one run:
 * <ul>
 *   <li>{@code overHttp}: the real endpoint over HTTP (default range: the 30 days ending today);</li>
 *   <li>{@code aggregates}: the same report in process, read from {@code usage_daily} (what the endpoint does);</li>
 *   <li>{@code rawScan}: the baseline: the same numbers computed from the raw records (30-day rows by day and
 *   model, today's count, the all-time count), using the (account, finished_at) index.</li>
 * </ul>
 * The setup checks that the baseline and the aggregates agree, so the comparison is of equal answers.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
@State(Scope.Benchmark)
public class UsageQueryBench {

    static final String ADMIN_KEY = "SG_benchAdminKey0000000000000000000";
    static final String[] MODELS = {"bge-small-en-v1.5", "all-minilm-l6-v2", "esrgan"};
    static final int DAYS = 400;
    static final int BATCH = 10_000;

    /** Raw usage records of the measured account. */
    @Param({"1000000"})
    public int records;

    /** sqlite, or postgresql (HEARTH_BENCH_PG_URL, default the loopback server's database "test", user postgres). */
    @Param({"sqlite"})
    public String store;

    Path dataDir;
    String pgSchema;
    HearthApp app;
    HttpClient http;
    HttpRequest usage;
    UsageReports reports;
    Jdbi jdbi;
    String accountId;
    long fromDay;
    long today;

    @Setup(Level.Trial)
    public void start() throws Exception {
        dataDir = Files.createTempDirectory("hearth-usage-bench");
        Map<String, String> o = new HashMap<>(Map.of("data_dir", dataDir.toString(), "server.host", "127.0.0.1", "server.port", "0",
                "admin.key", ADMIN_KEY, "logging.access_log", "false"));
        // a plan whose limits never bind: this measures the read, not a rate limiter's refusals
        o.put("plans.bench.requests_per_minute", "1000000000");
        o.put("plans.bench.concurrent_jobs", "100000");
        o.put("plans.bench.paid", "true");
        if (store.equals("postgresql")) {
            pgSchema = "hearth_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
            o.put("database.url", pgUrl());
            o.put("database.user", System.getenv().getOrDefault("HEARTH_BENCH_PG_USER", "postgres"));
            o.put("database.schema", pgSchema);
        } else if (!store.equals("sqlite")) {
            throw new IllegalArgumentException("store must be sqlite or postgresql");
        }
        app = new HearthApp(ConfigLoader.load(null, Map.of(), o));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        try {
            String base = "http://127.0.0.1:" + app.serve();
            JsonNode account = post(base + "/admin/accounts", Json.object().put("name", "bench").put("plan", "bench"));
            accountId = account.path("account_id").asText();
            usage = HttpRequest.newBuilder(URI.create(base + "/v1/usage")).header("x-api-key", account.path("api_key").asText()).GET().build();
            jdbi = app.db.jdbi();
            reports = new UsageReports(app.db);
            today = UsageDays.dayOf(System.currentTimeMillis());
            fromDay = today - 29;
            load();
            check();
        } catch (Exception | Error e) {
            stop(); // JMH skips the teardown when the setup fails; a live server would keep the fork from exiting
            throw e;
        }
    }

    private static String pgUrl() {
        return System.getenv().getOrDefault("HEARTH_BENCH_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    /** Inserts the records in transactions of 10 000, then builds the aggregates as the V4 migration does. */
    private void load() {
        long t0 = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(42);
        long firstDay = today - (DAYS - 1);
        for (int done = 0; done < records; done += BATCH) {
            int n = Math.min(BATCH, records - done);
            int start = done;
            jdbi.useTransaction(h -> {
                PreparedBatch b = h.prepareBatch("INSERT INTO usage_records (request_id, account_id, key_id, model, submitted_at, started_at, "
                        + "finished_at, queue_ms, processing_ms, status_code, cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                for (int i = 0; i < n; i++) {
                    long day = firstDay + (long) (start + i) * DAYS / records;
                    long finished = day * UsageDays.MILLIS_PER_DAY + rnd.nextLong(UsageDays.MILLIS_PER_DAY);
                    boolean ok = rnd.nextInt(100) < 97;
                    b.add(UUID.randomUUID().toString(), accountId, "key_bench", MODELS[rnd.nextInt(MODELS.length)], finished - 30, finished - 25,
                            finished, 5L, 25L, ok ? 200 : 500, ok ? 100_000L : 0L);
                }
                b.execute();
            });
        }
        jdbi.useHandle(h -> h.execute("INSERT INTO usage_daily (account_id, day, model, inferences, failed, amount) "
                + "SELECT account_id, finished_at / 86400000, model, SUM(CASE WHEN status_code = 200 THEN 1 ELSE 0 END), "
                + "SUM(CASE WHEN status_code = 200 THEN 0 ELSE 1 END), SUM(cost) FROM usage_records "
                + "GROUP BY account_id, finished_at / 86400000, model"));
        if (store.equals("postgresql")) jdbi.useHandle(h -> h.execute("ANALYZE"));
        System.out.printf("%nloaded %,d usage records over %d days in %.1f s (%s)%n", records, DAYS, (System.nanoTime() - t0) / 1e9, store);
    }

    /** The baseline must compute what the aggregates give, or the ratio would compare different answers. */
    private void check() throws Exception {
        Report a = aggregates();
        Report r = rawScan();
        if (!a.equals(r)) throw new IllegalStateException("raw scan and aggregates disagree:\n" + a + "\n" + r);
        if (a.total() == 0 || a.rows().isEmpty()) throw new IllegalStateException("no usage loaded: " + a);
        JsonNode answer = Json.MAPPER.readTree(overHttp());
        if (answer.path("requests_total").asLong() != a.total()) throw new IllegalStateException("the endpoint disagrees: " + answer);
    }

    private JsonNode post(String url, ObjectNode body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(url)).header("x-api-key", ADMIN_KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.text(body))).build();
        return Json.MAPPER.readTree(EmbeddingOverheadBench.call(http, r));
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (http != null) http.close();
        if (app != null) app.close();
        if (pgSchema != null) {
            try (var c = DriverManager.getConnection(pgUrl(), System.getenv().getOrDefault("HEARTH_BENCH_PG_USER", "postgres"), "");
                 var st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + pgSchema + " CASCADE");
            }
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** What a usage read answers, minus the balance (read the same way in both): rows, today, all time. */
    record Report(List<String> rows, long today, long total) {
    }

    @Benchmark
    public String overHttp() throws Exception {
        return EmbeddingOverheadBench.call(http, usage);
    }

    @Benchmark
    public Report aggregates() {
        List<String> rows = new ArrayList<>();
        for (UsageReports.Row r : reports.rows(accountId, fromDay, today, null)) {
            rows.add(r.day() + " " + r.model() + " " + r.inferences() + " " + r.amount());
        }
        return new Report(rows, reports.inferences(accountId, today), reports.inferences(accountId, null));
    }

    @Benchmark
    public Report rawScan() {
        return jdbi.withHandle(h -> {
            long from = fromDay * UsageDays.MILLIS_PER_DAY;
            long to = (today + 1) * UsageDays.MILLIS_PER_DAY;
            List<String> rows = h.createQuery("SELECT finished_at / 86400000 AS day, model, SUM(CASE WHEN status_code = 200 THEN 1 ELSE 0 END), "
                            + "SUM(cost) FROM usage_records WHERE account_id = :acc AND finished_at >= :from AND finished_at < :to "
                            + "GROUP BY finished_at / 86400000, model ORDER BY 1, 2")
                    .bind("acc", accountId).bind("from", from).bind("to", to)
                    .map((rs, ctx) -> rs.getLong(1) + " " + rs.getString(2) + " " + rs.getLong(3) + " " + rs.getLong(4)).list();
            long todayCount = h.createQuery("SELECT COUNT(*) FROM usage_records WHERE account_id = :acc AND finished_at >= :from AND status_code = 200")
                    .bind("acc", accountId).bind("from", today * UsageDays.MILLIS_PER_DAY).mapTo(Long.class).one();
            long total = h.createQuery("SELECT COUNT(*) FROM usage_records WHERE account_id = :acc AND status_code = 200")
                    .bind("acc", accountId).mapTo(Long.class).one();
            return new Report(rows, todayCount, total);
        });
    }
}
