package dev.hearth.billing;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * How the ledger's changes reach the database: each change is one unit of work on a handle, run in a
 * transaction, and {@link #run} returns only once that transaction has committed, so whatever reports a charge
 * (x-cost, a v2 result) is sent after the charge is on disk.
 * <ul>
 *   <li>{@link #perStep}: each change is its own transaction (the simple way, kept to measure against).</li>
 *   <li>{@link #grouped}: group commit. One writer thread takes every change waiting and runs them, in order,
 *       in one transaction: concurrent calls share one commit (one WAL flush) instead of queueing for a commit
 *       each. The database still decides every change (the conditional UPDATE of a hold, the unique index of a
 *       charge), so several gateways on one PostgreSQL stay exact. When a change in a batch throws (a refusal
 *       such as a correction below zero, a unique index hit, a deadlock with another gateway), the batch rolls
 *       back and each of its changes runs again on its own, so one refusal fails only its own caller.</li>
 * </ul>
 */
public sealed interface LedgerCommits extends AutoCloseable {

    /** Runs {@code work} in a transaction and returns its result once committed; its exception otherwise. */
    <T> T run(Function<Handle, T> work);

    @Override
    default void close() {
    }

    /** The {@code billing.ledger_commit} setting: {@code grouped} (the default) or {@code per_step}. */
    static LedgerCommits of(String setting, Jdbi jdbi) {
        return switch (setting == null ? "grouped" : setting.trim().toLowerCase(Locale.ROOT)) {
            case "", "grouped" -> grouped(jdbi);
            case "per_step" -> perStep(jdbi);
            default -> throw new IllegalArgumentException("billing.ledger_commit must be grouped or per_step, got " + setting);
        };
    }

    static LedgerCommits perStep(Jdbi jdbi) {
        return new PerStep(jdbi);
    }

    static LedgerCommits grouped(Jdbi jdbi) {
        return new Grouped(jdbi);
    }

    /** One transaction per change. */
    record PerStep(Jdbi jdbi) implements LedgerCommits {
        @Override
        public <T> T run(Function<Handle, T> work) {
            return jdbi.inTransaction(work::apply);
        }
    }

    /** Group commit through one writer thread. */
    final class Grouped implements LedgerCommits {

        private static final Logger log = LoggerFactory.getLogger(Grouped.class);
        /** At most this many changes share a transaction, so one commit never holds row locks for long. */
        static final int MAX_BATCH = 512;

        private record Change<T>(Function<Handle, T> work, CompletableFuture<T> done) {
            void runAlone(Jdbi jdbi) {
                try {
                    done.complete(jdbi.inTransaction(work::apply));
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            }
        }

        private final Jdbi jdbi;
        private final LinkedBlockingQueue<Change<?>> waiting = new LinkedBlockingQueue<>();
        private final Thread writer;
        private volatile boolean closed;

        Grouped(Jdbi jdbi) {
            this.jdbi = jdbi;
            this.writer = Thread.ofPlatform().daemon().name("hearth-ledger-writer").start(this::write);
        }

        @Override
        public <T> T run(Function<Handle, T> work) {
            if (Thread.currentThread() == writer) {
                // the batch's own transaction holds the write lock: a second transaction would wait for it forever
                throw new IllegalStateException("a ledger change cannot make another ledger change inside its transaction");
            }
            // after close (a graceful stop's last settlements): a transaction of its own
            if (closed) return jdbi.inTransaction(work::apply);
            Change<T> change = new Change<>(work, new CompletableFuture<>());
            waiting.add(change);
            // closed meanwhile: the writer may be gone, so the change runs here unless the writer already took it
            if (closed && waiting.remove(change)) change.runAlone(jdbi);
            try {
                return change.done().join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw e;
            }
        }

        private void write() {
            List<Change<?>> batch = new ArrayList<>();
            while (true) {
                Change<?> first;
                try {
                    first = waiting.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (first == null) {
                    if (closed) return;
                    continue;
                }
                batch.add(first);
                waiting.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
                batch.clear();
            }
        }

        private void commit(List<Change<?>> batch) {
            if (batch.size() == 1) {
                batch.getFirst().runAlone(jdbi);
                return;
            }
            List<Object> results;
            try {
                results = jdbi.inTransaction(h -> {
                    List<Object> out = new ArrayList<>(batch.size());
                    for (Change<?> c : batch) out.add(c.work().apply(h));
                    return out;
                });
            } catch (Throwable t) {
                log.debug("a batch of {} ledger changes rolled back ({}); each runs on its own", batch.size(), t.toString());
                for (Change<?> c : batch) c.runAlone(jdbi);
                return;
            }
            for (int i = 0; i < batch.size(); i++) complete(batch.get(i), results.get(i));
        }

        @SuppressWarnings("unchecked")
        private static <T> void complete(Change<T> c, Object result) {
            c.done().complete((T) result);
        }

        @Override
        public void close() {
            closed = true;
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // anything queued after the writer's last look runs here, on its own
            for (Change<?> c; (c = waiting.poll()) != null; ) c.runAlone(jdbi);
        }
    }
}
