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
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.concurrent.atomic.AtomicInteger;

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
 *   <li>{@link #leaderFollower}: the same group commit without a writer thread. The first caller that finds no
 *       batch being committed commits everything waiting, itself included, on its own thread; callers that
 *       arrive meanwhile wait and join the next batch, which one of them commits. A lone caller pays no thread
 *       hand-off, and busy callers still share commits. It comes with holds decided in memory
 *       ({@link AccountAuthority}): the {@code authority} setting.</li>
 * </ul>
 */
public sealed interface LedgerCommits extends AutoCloseable {

    /** Runs {@code work} in a transaction and returns its result once committed; its exception otherwise. */
    <T> T run(Function<Handle, T> work);

    /**
     * Work that a group commit may run together with the other changes of its kind waiting next to it, in one
     * go: the settlements of calls' holds, which then cost one update of the account row per batch instead of
     * one per call. Run alone, it is an ordinary change ({@link #apply}).
     */
    interface Joinable<T> extends Function<Handle, T> {
        /** What may be joined: changes with an equal kind that wait next to each other. */
        Object kind();

        /**
         * Runs {@code all} (this one among them, in the order they came) and returns their results in that order,
         * with {@code statements} prepared on {@code h}'s connection and kept for its life. A list of one is this
         * change alone: it must then do exactly what {@link #apply} does.
         */
        List<T> applyAll(Handle h, CachedStatements statements, List<Joinable<T>> all);
    }

    @Override
    default void close() {
    }

    /**
     * Tells a group commit how many changes are on their way (calls that hold credits and will settle): a leader
     * then waits a little for them, so one commit carries many. Ignored by commits that do not group this way.
     */
    default void expect(IntSupplier arriving) {
    }

    /** Whether a call's hold is decided in memory against an allocation the database granted ({@link AccountAuthority}). */
    default boolean holdsInMemory() {
        return false;
    }

    /**
     * The {@code billing.ledger_commit} setting: {@code authority} (the default: holds in memory, leader/follower
     * group commit), {@code grouped} or {@code per_step}.
     */
    static LedgerCommits of(String setting, Jdbi jdbi) {
        return switch (setting == null ? "authority" : setting.trim().toLowerCase(Locale.ROOT)) {
            case "", "authority" -> leaderFollower(jdbi);
            case "grouped" -> grouped(jdbi);
            case "per_step" -> perStep(jdbi);
            default -> throw new IllegalArgumentException("billing.ledger_commit must be authority, grouped or per_step, got " + setting);
        };
    }

    static LedgerCommits leaderFollower(Jdbi jdbi) {
        return new LeaderFollower(jdbi);
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

    /**
     * Group commit on the callers' own threads. Only the queue is guarded by the lock; the transaction itself
     * runs outside it, so followers can queue their changes while the leader commits.
     */
    final class LeaderFollower implements LedgerCommits {

        private static final Logger log = LoggerFactory.getLogger(LeaderFollower.class);
        /** The longest a leader waits for calls on their way before committing (see {@link #gatherFollowers}). */
        static final long GATHER_NANOS = 200_000;

        private static final class Change<T> {
            final Function<Handle, T> work;
            boolean done;
            T result;
            Throwable failure;

            Change(Function<Handle, T> work) {
                this.work = work;
            }

            @SuppressWarnings("unchecked")
            void take(Object r) {
                result = (T) r;
            }
        }

        private final Jdbi jdbi;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition batchEnded = lock.newCondition();
        /** Signalled when a change is queued while a leader waits for followers. */
        private final Condition arrived = lock.newCondition();
        private boolean gathering;
        private volatile IntSupplier arriving = () -> 0;
        /** Callers inside {@link #run}: queued, committing, or woken after their commit and about to return. */
        private final AtomicInteger inside = new AtomicInteger();
        private final ArrayList<Change<?>> waiting = new ArrayList<>();
        private boolean committing;
        private boolean closed;
        /** The thread committing a batch: a change made inside a change would wait for itself. */
        private volatile Thread leader;
        /**
         * The one connection every batch is committed on, whoever leads it (one leader at a time): no pool
         * round trip per commit. Reopened after a failure, since the connection may be what failed.
         */
        private Handle handle;
        /** The joined settlements' statements, prepared once on {@link #handle}'s connection and closed with it. */
        private CachedStatements statements;
        /** On SQLite: the log's checkpoints, off the leader's commits. */
        private WalCheckpoints checkpoints;

        LeaderFollower(Jdbi jdbi) {
            this.jdbi = jdbi;
        }

        @Override
        public boolean holdsInMemory() {
            return true;
        }

        @Override
        public void expect(IntSupplier arriving) {
            this.arriving = arriving;
        }

        /** How many changes wait for the next batch (for tests that need several changes in one batch). */
        int waiting() {
            lock.lock();
            try {
                return waiting.size();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public <T> T run(Function<Handle, T> work) {
            if (Thread.currentThread() == leader) {
                throw new IllegalStateException("a ledger change cannot make another ledger change inside its transaction");
            }
            Change<T> change = new Change<>(work);
            inside.incrementAndGet();
            try {
                return runInside(change);
            } finally {
                inside.decrementAndGet();
            }
        }

        private <T> T runInside(Change<T> change) {
            Function<Handle, T> work = change.work;
            lock.lock();
            try {
                if (closed) {
                    // after close (a graceful stop's last settlements): a transaction of its own
                    lock.unlock();
                    try {
                        return jdbi.inTransaction(work::apply);
                    } finally {
                        lock.lock();
                    }
                }
                waiting.add(change);
                if (gathering) arrived.signal();
                while (!change.done) {
                    if (committing) {
                        batchEnded.awaitUninterruptibly();
                        continue;
                    }
                    // no batch in flight: this caller leads the next one, with everything waiting
                    committing = true;
                    gatherFollowers();
                    List<Change<?>> batch = new ArrayList<>(waiting.size() <= Grouped.MAX_BATCH ? waiting
                            : waiting.subList(0, Grouped.MAX_BATCH));
                    waiting.subList(0, batch.size()).clear();
                    lock.unlock();
                    try {
                        leader = Thread.currentThread();
                        commit(batch);
                    } finally {
                        leader = null;
                        lock.lock();
                        for (Change<?> c : batch) c.done = true;
                        committing = false;
                        batchEnded.signalAll();
                    }
                }
            } finally {
                lock.unlock();
            }
            if (change.failure instanceof RuntimeException r) throw r;
            if (change.failure instanceof Error err) throw err;
            if (change.failure != null) throw new IllegalStateException(change.failure);
            return change.result;
        }

        /**
         * Called by a new leader, with the lock held: while other callers are on their way, waits up to
         * {@link #GATHER_NANOS} for them to queue, so they share this commit instead of each paying one. On their
         * way: calls holding credits that have not settled yet ({@link #expect}), and callers still inside
         * {@link #run} but not queued (just woken after the previous commit: in a closed loop they come straight
         * back). Without this wait, on two cores, the leader's own thread is back with its next change before the
         * woken callers get a core, and nearly every commit (about 60 µs on SQLite) carries one change. A lone
         * caller (nobody on the way) does not wait.
         */
        private void gatherFollowers() {
            long left = GATHER_NANOS;
            gathering = true;
            try {
                while (left > 0 && waiting.size() < Grouped.MAX_BATCH && (arriving.getAsInt() > 0 || inside.get() > waiting.size())) {
                    left = arrived.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                gathering = false;
            }
        }

        private void commit(List<Change<?>> batch) {
            if (batch.size() > 1) {
                try {
                    List<Object> results = inTransaction(h -> applyAll(h, batch));
                    for (int i = 0; i < batch.size(); i++) batch.get(i).take(results.get(i));
                    return;
                } catch (Throwable t) {
                    log.debug("a batch of {} ledger changes rolled back ({}); each runs on its own", batch.size(), t.toString());
                }
            }
            for (Change<?> c : batch) {
                try {
                    c.take(inTransaction(h -> alone(h, c.work)));
                } catch (Throwable t) {
                    c.failure = t;
                }
            }
        }

        /** One change in its own transaction; a joinable one still on the cached statements, as a list of one. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        private Object alone(Handle h, Function<Handle, ?> work) {
            if (work instanceof Joinable j) return j.applyAll(h, statements, List.of(j)).getFirst();
            return work.apply(h);
        }

        /** The batch's changes in order; neighbours of one joinable kind run together. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        private List<Object> applyAll(Handle h, List<Change<?>> batch) {
            List<Object> out = new ArrayList<>(batch.size());
            int i = 0;
            while (i < batch.size()) {
                Function<Handle, ?> work = batch.get(i).work;
                if (work instanceof Joinable<?> first) {
                    int j = i + 1;
                    while (j < batch.size() && batch.get(j).work instanceof Joinable<?> next && next.kind().equals(first.kind())) j++;
                    if (j - i > 1) {
                        List<Joinable> run = new ArrayList<>(j - i);
                        for (int k = i; k < j; k++) run.add((Joinable) batch.get(k).work);
                        out.addAll(((Joinable) first).applyAll(h, statements, run));
                        i = j;
                        continue;
                    }
                }
                out.add(alone(h, work));
                i++;
            }
            return out;
        }

        /** Only the leader calls this, so the one handle is never used by two threads at once. */
        private <T> T inTransaction(Function<Handle, T> work) {
            if (handle == null) {
                handle = jdbi.open();
                statements = new CachedStatements(handle.getConnection());
                if (WalCheckpoints.isSqlite(handle)) {
                    if (checkpoints == null) checkpoints = new WalCheckpoints(jdbi);
                    checkpoints.adopt(handle);
                }
            }
            Handle h = handle;
            boolean committed = false;
            try {
                h.begin();
                T result = work.apply(h);
                h.commit();
                committed = true;
                return result;
            } finally {
                if (!committed) {
                    // a failed batch may leave its statements half-bound: they go with the connection
                    handle = null;
                    statements.close();
                    statements = null;
                    try {
                        h.rollback();
                    } catch (RuntimeException ignored) {
                        // the connection is broken: closing it below is all that is left to do
                    } finally {
                        if (checkpoints != null) WalCheckpoints.release(h);
                        h.close();
                    }
                }
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                closed = true;
                while (committing) batchEnded.awaitUninterruptibly();
                // callers already waiting commit on their own, as after close
                for (Change<?> c : waiting) {
                    try {
                        c.take(jdbi.inTransaction(c.work::apply));
                    } catch (Throwable t) {
                        c.failure = t;
                    }
                    c.done = true;
                }
                waiting.clear();
                batchEnded.signalAll();
                if (statements != null) statements.close();
                statements = null;
                if (handle != null) {
                    if (checkpoints != null) WalCheckpoints.release(handle);
                    handle.close();
                }
                handle = null;
                if (checkpoints != null) checkpoints.close();
                checkpoints = null;
            } finally {
                lock.unlock();
            }
        }
    }
}
