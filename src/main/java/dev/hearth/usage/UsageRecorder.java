package dev.hearth.usage;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes usage records off the request path: calls enqueue, one background thread inserts them in batches.
 * {@link #close()} drains the queue, so a clean stop loses nothing. The ledger, not this table, is the record
 * of money; a usage row carries the same request id as its ledger entry.
 */
public final class UsageRecorder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageRecorder.class);
    private static final int BATCH = 500;

    private final Jdbi jdbi;
    private final LinkedBlockingQueue<UsageRecord> queue = new LinkedBlockingQueue<>();
    private final AtomicLong pending = new AtomicLong();
    private final Thread writer;
    private volatile boolean running = true;

    public UsageRecorder(Database db) {
        this.jdbi = db.jdbi();
        this.writer = Thread.ofPlatform().daemon().name("hearth-usage-writer").start(this::loop);
    }

    public void record(UsageRecord r) {
        pending.incrementAndGet();
        queue.add(r);
    }

    private void loop() {
        List<UsageRecord> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                UsageRecord first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
                pending.addAndGet(-batch.size());
            } catch (InterruptedException e) {
                running = false;
            } catch (Exception e) {
                log.error("writing {} usage records failed, retrying in 1 s: {}", batch.size(), e.toString());
                sleepQuietly();
                continue;
            }
            batch.clear();
        }
    }

    private void write(List<UsageRecord> batch) {
        jdbi.useTransaction(h -> {
            PreparedBatch b = h.prepareBatch("INSERT INTO usage_records (request_id, account_id, key_id, model, endpoint, workflow_run_id, "
                    + "submitted_at, started_at, finished_at, queue_ms, processing_ms, status_code, cost, parameters) VALUES "
                    + "(:requestId, :accountId, :keyId, :model, :endpoint, :workflowRunId, :submittedAt, :startedAt, :finishedAt, "
                    + ":queueMillis, :processingMillis, :statusCode, :cost, :parameters) ON CONFLICT (request_id) DO NOTHING");
            for (UsageRecord r : batch) b.bindMethods(r).add();
            b.execute();
        });
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until every record enqueued so far is written (tests and clean shutdown). */
    public void flush() {
        while (pending.get() > 0 && writer.isAlive()) sleepQuietly(10);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
