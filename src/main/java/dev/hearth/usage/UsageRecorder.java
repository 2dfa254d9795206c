package dev.hearth.usage;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes usage records off the request path: calls enqueue, one background thread inserts them in batches and
 * adds them to the daily aggregates ({@code usage_daily}) in the same transaction, so the two never disagree.
 * Readers call {@link #awaitWritten} first: it waits only for the records enqueued before the read, so usage
 * reads are current to the second even under constant load. {@link #close()} drains the queue, and a record
 * arriving after close is written at once on the caller's thread: a clean stop loses nothing.
 */
public final class UsageRecorder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageRecorder.class);
    private static final int BATCH = 500;
    /** A batch that fails this many times while the database answers is written row by row to isolate the bad row. */
    private static final int ATTEMPTS_BEFORE_SPLIT = 3;

    private final Jdbi jdbi;
    private final Database db;
    private final LinkedBlockingQueue<UsageRecord> queue = new LinkedBlockingQueue<>();
    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** Records taken from the queue and committed (or given up on); advanced under {@link #lock}. */
    private volatile long written;
    /** Set when close() runs out of patience: every batch then gets one attempt, no retries. */
    private volatile boolean abandon;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private final Thread writer;
    private volatile boolean closed;
    /**
     * The writer is parked until a record wakes it (it found nothing for a while). While records keep coming it
     * is not: it looks again every {@link #PAUSE_NANOS}, so that a call on the request path enqueues its record
     * without waking a thread (a wake-up per call cost each call a futex call and the writer a context switch).
     */
    private volatile boolean asleep;
    /** How long the writer pauses between looks while records keep coming: the most a record waits to be written. */
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Empty looks in a row after which the writer parks until woken (200 ms of nothing). */
    private static final int LOOKS_BEFORE_SLEEP = 40;

    public UsageRecorder(Database db) {
        this.db = db;
        this.jdbi = db.jdbi();
        this.writer = Thread.ofPlatform().daemon().name("hearth-usage-writer").start(this::loop);
    }

    public void record(UsageRecord r) {
        enqueued.incrementAndGet();
        queue.add(r);
        if (asleep) LockSupport.unpark(writer);
        // Double check against close(): if the writer has already drained and gone, write it here.
        if (closed && queue.remove(r)) {
            writeNow(List.of(r));
            advance(1);
        }
    }

    /** Records enqueued and not yet committed. */
    public long pending() {
        return Math.max(0, enqueued.get() - written);
    }

    /** Records given up on after repeated failures with the database up (each one was logged). */
    public long dropped() {
        return dropped.get();
    }

    private void loop() {
        List<UsageRecord> batch = new ArrayList<>(BATCH);
        int emptyLooks = 0;
        while (!closed || !queue.isEmpty()) {
            try {
                UsageRecord first = queue.poll();
                if (first == null) {
                    rest(++emptyLooks >= LOOKS_BEFORE_SLEEP);
                    continue;
                }
                emptyLooks = 0;
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                if (abandon) writeNow(batch);
                else writeWithRetries(batch);
            } catch (InterruptedException e) {
                // close() interrupts only after its deadline: one last attempt for this batch, then the rest
                writeNow(batch);
            }
            advance(batch.size());
            batch.clear();
        }
    }

    /** A pause between looks; or, when {@code sleep}, parked until a record, a reader or close wakes the writer. */
    private void rest(boolean sleep) {
        if (!sleep) {
            LockSupport.parkNanos(PAUSE_NANOS);
            return;
        }
        asleep = true;
        // a record enqueued before this check is seen here; one enqueued after it sees asleep and unparks
        if (queue.isEmpty() && !closed) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        asleep = false;
    }

    private void advance(int n) {
        lock.lock();
        try {
            written += n;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Retries while the database is down (nothing is lost by waiting); when it is up and a batch still fails,
     * one row is bad: write row by row and drop only the rows that fail, so one bad record cannot stop usage
     * logging for everyone.
     */
    private void writeWithRetries(List<UsageRecord> batch) throws InterruptedException {
        int failures = 0;
        while (true) {
            try {
                write(batch);
                return;
            } catch (Exception e) {
                if (db.isReachable()) failures++;
                if (failures >= ATTEMPTS_BEFORE_SPLIT) {
                    writeOneByOne(batch);
                    return;
                }
                log.error("writing {} usage records failed, retrying in 1 s: {}", batch.size(), e.toString());
                Thread.sleep(1000);
            }
        }
    }

    private void writeOneByOne(List<UsageRecord> batch) {
        for (UsageRecord r : batch) {
            try {
                write(List.of(r));
            } catch (Exception e) {
                dropped.incrementAndGet();
                log.error("usage record {} of account {} could not be written and was dropped: {}", r.requestId(), r.accountId(), e.toString());
            }
        }
    }

    /** One attempt; on failure the records are counted as dropped and logged. */
    private void writeNow(List<UsageRecord> records) {
        if (records.isEmpty()) return;
        try {
            write(records);
        } catch (Exception e) {
            dropped.addAndGet(records.size());
            log.error("{} usage records (first request id {}) could not be written and were dropped: {}", records.size(),
                    records.getFirst().requestId(), e.toString());
        }
    }

    private void write(List<UsageRecord> batch) throws SQLException {
        jdbi.useTransaction(h -> {
            int[] inserted = insert(h.getConnection(), batch);
            List<UsageRecord> fresh = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                // a repeated request id inserts nothing and must not be counted twice in the aggregates
                if (i >= inserted.length || inserted[i] != 0) fresh.add(batch.get(i));
            }
            addToDaily(h, fresh);
            tellListeners(h, fresh);
        });
    }

    private static final String INSERT = "INSERT INTO usage_records (request_id, account_id, key_id, model, endpoint, "
            + "workflow_run_id, submitted_at, started_at, finished_at, queue_ms, processing_ms, status_code, cost, parameters, seed, "
            + "error, output_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING";

    /**
     * The batch's rows through plain JDBC, in the transaction's connection; the rows each insert (0 for a request
     * id already written). JDBI's named binding resolved an argument factory for each of the 17 values of every
     * record, which made this thread a tenth of the gateway's CPU samples under load.
     */
    private static int[] insert(Connection c, List<UsageRecord> batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (UsageRecord r : batch) {
                ps.setString(1, r.requestId());
                ps.setString(2, r.accountId());
                text(ps, 3, r.keyId());
                ps.setString(4, r.model());
                text(ps, 5, r.endpoint());
                text(ps, 6, r.workflowRunId());
                ps.setLong(7, r.submittedAt());
                number(ps, 8, r.startedAt());
                ps.setLong(9, r.finishedAt());
                ps.setLong(10, r.queueMillis());
                ps.setLong(11, r.processingMillis());
                ps.setInt(12, r.statusCode());
                ps.setLong(13, r.cost());
                text(ps, 14, r.parameters());
                number(ps, 15, r.seed());
                text(ps, 16, r.error());
                text(ps, 17, r.outputUrl());
                ps.addBatch();
            }
            return ps.executeBatch();
        }
    }

    private static void text(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) ps.setNull(i, Types.VARCHAR);
        else ps.setString(i, v);
    }

    private static void number(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) ps.setNull(i, Types.BIGINT);
        else ps.setLong(i, v);
    }

    /**
     * Told of the records written for the first time, inside the transaction that writes them, so that what a
     * listener writes (a webhook delivery) commits with the usage record or not at all, and a repeated request
     * id is never told twice.
     */
    @FunctionalInterface
    public interface Listener {
        void written(Handle h, List<UsageRecord> fresh);
    }

    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public void onWritten(Listener listener) {
        listeners.add(listener);
    }

    /** A listener that fails is rolled back to a savepoint and logged: it never costs a usage record. */
    private void tellListeners(Handle h, List<UsageRecord> fresh) {
        if (fresh.isEmpty()) return;
        for (Listener l : listeners) {
            h.savepoint("usage_listener");
            try {
                l.written(h, fresh);
                h.releaseSavepoint("usage_listener");
            } catch (RuntimeException e) {
                h.rollbackToSavepoint("usage_listener");
                log.error("a usage listener failed for {} records (first request id {}); the records are written without it: {}",
                        fresh.size(), fresh.getFirst().requestId(), e.toString());
            }
        }
    }

    /** The key of one aggregate row; sorted so that concurrent writers (several gateways) lock rows in one order. */
    record DayKey(String accountId, long day, String model) {
        static final Comparator<DayKey> ORDER = Comparator.comparing(DayKey::accountId).thenComparingLong(DayKey::day)
                .thenComparing(DayKey::model);
    }

    static void addToDaily(Handle h, List<UsageRecord> records) {
        if (records.isEmpty()) return;
        Map<DayKey, long[]> sums = new TreeMap<>(DayKey.ORDER);
        for (UsageRecord r : records) {
            long[] s = sums.computeIfAbsent(new DayKey(r.accountId(), UsageDays.dayOf(r.finishedAt()), r.model()), k -> new long[3]);
            if (r.statusCode() == 200) s[0]++;
            else s[1]++;
            s[2] += r.cost();
        }
        PreparedBatch up = h.prepareBatch("INSERT INTO usage_daily (account_id, day, model, inferences, failed, amount) "
                + "VALUES (:acc, :day, :model, :inf, :failed, :amount) ON CONFLICT (account_id, day, model) DO UPDATE SET "
                + "inferences = usage_daily.inferences + excluded.inferences, failed = usage_daily.failed + excluded.failed, "
                + "amount = usage_daily.amount + excluded.amount");
        sums.forEach((k, s) -> up.bind("acc", k.accountId()).bind("day", k.day()).bind("model", k.model())
                .bind("inf", s[0]).bind("failed", s[1]).bind("amount", s[2]).add());
        up.execute();
    }

    /**
     * Waits until every record enqueued before this call is committed, or the timeout passes (then the read is
     * at most that stale). Returns true when everything was written.
     */
    public boolean awaitWritten(long timeoutMillis) {
        long target = enqueued.get();
        if (written >= target) return true;
        LockSupport.unpark(writer); // a reader waits: no pause
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (written < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !writer.isAlive()) return written >= target;
                progress.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until every record enqueued so far is written (tests and clean shutdown). */
    public void flush() {
        awaitWritten(60_000);
    }

    /**
     * Stops the writer after it has written everything enqueued. If the database does not answer within 30 s,
     * each remaining batch gets one more attempt and what still fails is logged as dropped: never silently lost.
     */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(30_000);
            if (writer.isAlive()) {
                abandon = true;
                writer.interrupt();
                writer.join(60_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            log.error("the usage writer did not finish; {} usage records were not written", pending());
        }
    }
}
