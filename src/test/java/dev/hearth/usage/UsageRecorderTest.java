package dev.hearth.usage;

import dev.hearth.TestDatabases;
import dev.hearth.config.ConfigLoader;
import dev.hearth.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The usage writer and the retention sweep against a real store (SQLite and PostgreSQL): a clean stop loses
 * nothing, even records that arrive while or after it stops; the daily aggregates always equal the raw
 * records; a repeated request id is not counted twice; a read after {@code awaitWritten} sees every record
 * enqueued before it; old raw records expire while the aggregates stay.
 */
class UsageRecorderTest {

    private Database db;
    private Path dir;
    private String schema;

    private Database open(String store) throws IOException {
        dir = Files.createTempDirectory("hearth-usage");
        Map<String, String> o = new HashMap<>();
        o.put("data_dir", dir.toString());
        if (store.equals("postgresql")) {
            TestDatabases.requirePostgres();
            schema = TestDatabases.freshSchema();
            o.putAll(TestDatabases.postgresOverrides(schema));
        }
        db = Database.open(ConfigLoader.load(null, Map.of(), o));
        return db;
    }

    @AfterEach
    void close() throws IOException {
        if (db != null) {
            if (schema != null) db.dropSchema();
            db.close();
        }
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static UsageRecord record(String account, String model, long finishedAt, int status, long cost) {
        return new UsageRecord(UUID.randomUUID().toString(), account, "key_1", model, null, null, finishedAt - 10, finishedAt - 5,
                finishedAt, 5, 5, status, cost, null);
    }

    private long count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    /** The aggregates recomputed from the raw rows must equal the stored aggregates, cell by cell. */
    private void assertDailyEqualsRaw() {
        List<String> raw = db.jdbi().withHandle(h -> h.createQuery("SELECT account_id, finished_at / 86400000 AS day, model, "
                        + "SUM(CASE WHEN status_code = 200 THEN 1 ELSE 0 END), SUM(CASE WHEN status_code = 200 THEN 0 ELSE 1 END), SUM(cost) "
                        + "FROM usage_records GROUP BY account_id, finished_at / 86400000, model ORDER BY 1, 2, 3")
                .map((rs, ctx) -> rs.getString(1) + "|" + rs.getLong(2) + "|" + rs.getString(3) + "|" + rs.getLong(4) + "|" + rs.getLong(5) + "|" + rs.getLong(6))
                .list());
        List<String> daily = db.jdbi().withHandle(h -> h.createQuery("SELECT account_id, day, model, inferences, failed, amount FROM usage_daily ORDER BY 1, 2, 3")
                .map((rs, ctx) -> rs.getString(1) + "|" + rs.getLong(2) + "|" + rs.getString(3) + "|" + rs.getLong(4) + "|" + rs.getLong(5) + "|" + rs.getLong(6))
                .list());
        assertThat(daily).isEqualTo(raw);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aCleanStopWritesEveryRecordEvenUnderConcurrentCalls(String store) throws Exception {
        open(store);
        UsageRecorder recorder = new UsageRecorder(db);
        long now = System.currentTimeMillis();
        int threads = 8, each = 1_500;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                int n = t;
                pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        // spread over three days, two models, three accounts, with some failures
                        recorder.record(record("acc_" + (i % 3), i % 2 == 0 ? "m-a" : "m-b", now - (i % 3) * UsageDays.MILLIS_PER_DAY,
                                i % 10 == n ? 500 : 200, i % 10 == n ? 0 : 100_000));
                    }
                });
            }
        }
        recorder.close();
        assertThat(count("SELECT COUNT(*) FROM usage_records")).isEqualTo(threads * each);
        assertThat(recorder.pending()).isZero();
        assertThat(recorder.dropped()).isZero();
        assertDailyEqualsRaw();

        // a record that arrives after the stop is written at once rather than lost
        recorder.record(record("acc_late", "m-a", now, 200, 7));
        assertThat(count("SELECT COUNT(*) FROM usage_records WHERE account_id = 'acc_late'")).isEqualTo(1);
        assertDailyEqualsRaw();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aReadAfterAwaitWrittenSeesEveryEarlierRecordAndRepeatsCountOnce(String store) throws Exception {
        open(store);
        try (UsageRecorder recorder = new UsageRecorder(db)) {
            UsageReports reports = new UsageReports(db);
            long now = System.currentTimeMillis();
            long today = UsageDays.dayOf(now);
            for (int i = 1; i <= 20; i++) {
                recorder.record(record("acc_r", "m", now, 200, 1_000));
                assertThat(recorder.awaitWritten(10_000)).isTrue();
                assertThat(reports.inferences("acc_r", today)).isEqualTo(i);
            }
            UsageRecord once = record("acc_r", "m", now, 200, 1_000);
            recorder.record(once);
            recorder.record(once);  // the same request id again: one raw row, counted once
            recorder.awaitWritten(10_000);
            assertThat(reports.inferences("acc_r", null)).isEqualTo(21);
            List<UsageReports.Row> rows = reports.rows("acc_r", today, today, null);
            assertThat(rows).singleElement().satisfies(r -> {
                assertThat(r.inferences()).isEqualTo(21);
                assertThat(r.amount()).isEqualTo(21_000);
            });
            assertDailyEqualsRaw();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void listenersSeeEachNewRecordOnceInsideItsTransactionAndAFailingOneCostsNoRecord(String store) throws Exception {
        open(store);
        db.jdbi().useHandle(h -> h.execute("CREATE TABLE listener_seen (request_id TEXT PRIMARY KEY)"));
        UsageRecorder recorder = new UsageRecorder(db);
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        recorder.onWritten((h, fresh) -> {
            throw new IllegalStateException("a broken listener");
        });
        recorder.onWritten((h, fresh) -> fresh.forEach(r -> {
            told.add(r.requestId());
            // written in the usage batch's transaction: it commits with the record
            h.createUpdate("INSERT INTO listener_seen (request_id) VALUES (:id)").bind("id", r.requestId()).execute();
        }));
        long now = System.currentTimeMillis();
        UsageRecord first = record("acc_a", "m", now, 200, 7);
        recorder.record(first);
        recorder.record(record("acc_a", "m", now, 500, 0));
        recorder.flush();
        recorder.record(first);   // the same request id again: stored once, told once
        recorder.close();
        assertThat(count("SELECT COUNT(*) FROM usage_records")).isEqualTo(2);
        assertThat(told).hasSize(2).doesNotHaveDuplicates().contains(first.requestId());
        assertThat(count("SELECT COUNT(*) FROM listener_seen")).isEqualTo(2);
        assertThat(recorder.dropped()).isZero();
        assertDailyEqualsRaw();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void retentionDeletesOldRawRecordsAndKeepsTheDailyTotals(String store) throws Exception {
        open(store);
        long now = Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();
        try (UsageRecorder recorder = new UsageRecorder(db)) {
            for (int i = 0; i < 12_000; i++) recorder.record(record("acc_old", "m", now - 500 * UsageDays.MILLIS_PER_DAY, 200, 10));
            for (int i = 0; i < 30; i++) recorder.record(record("acc_old", "m", now - 10 * UsageDays.MILLIS_PER_DAY, 200, 10));
            recorder.record(record("acc_old", "m", now - 399 * UsageDays.MILLIS_PER_DAY, 200, 10));
            recorder.flush();
        }
        Clock clock = Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC);
        UsageReports reports = new UsageReports(db);
        long totalBefore = reports.inferences("acc_old", null);

        assertThat(new UsageRetention(db, clock, new UsageSettings(0)).sweep()).as("0 keeps records forever").isZero();
        assertThat(new UsageRetention(db, clock, new UsageSettings(400)).sweep()).isEqualTo(12_000);
        assertThat(count("SELECT COUNT(*) FROM usage_records")).isEqualTo(31);
        assertThat(reports.inferences("acc_old", null)).isEqualTo(totalBefore).isEqualTo(12_031);
        assertThat(new UsageRetention(db, clock, new UsageSettings(400)).sweep()).as("a second sweep finds nothing").isZero();
    }
}
