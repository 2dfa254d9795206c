package dev.hearth.runtime;

import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where every job waits and runs, for a catalog model and a dedicated endpoint alike: a bounded queue; one
 * dispatcher that takes the next job and waits for a runner with a free slot (which may mean a boot, or an
 * endpoint scaling up), as {@link Runners} decide; then the run under the execution timeout, on a thread of its
 * own so that a timeout or a cancel can interrupt it. Queue time is admission to start, boot included; the
 * processing time is what the runner took (or what a remote worker says it took, never more).
 *
 * <p>A job can be withdrawn in each of its three places: queued ({@link #removeQueued}), held by the dispatcher
 * while a runner comes up (the job engine ends it; {@link Work#start} then says to skip it), or running
 * ({@link #interruptRunning}). Each job's end is reported to it once, by the thread that ran it.
 */
public final class ExecutionLane implements JobLane {

    /** Where this lane's jobs run: a catalog model's instance, or an endpoint's workers. */
    public interface Runners {

        /**
         * Blocks until a runner can take one more job, booting one when none is up; {@link ModelUnavailable} when
         * none can come up for this job (its boot failed, the endpoint was suspended or deleted).
         */
        Lease acquire(Work work) throws ModelUnavailable, InterruptedException;

        /** The execution timeout now (an endpoint's can change while it serves). */
        int timeoutSeconds();
    }

    /** One runner slot taken for one job. */
    public interface Lease {

        Runner runner();

        /** The runner call returned: after a timeout, native code may return long after the job ended. */
        default void callReturned() {
        }

        /** The job ended, so its slot is free again; {@code served} when it completed. */
        void release(boolean served);
    }

    private final String name;
    private final Runners runners;
    private final Clock clock;
    private final LinkedBlockingQueue<Work> queue;
    private final Map<String, Future<RunOutput>> running = new ConcurrentHashMap<>();
    private final ExecutorService runs = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread dispatcher;
    /** The job the dispatcher holds while it waits for a runner; it still counts as queued. */
    private volatile Work taken;
    private volatile boolean stopped;
    private volatile boolean closed;
    /** Jobs started and not yet reported: {@link #close} waits for them, so their ends are settled before the store closes. */
    private final java.util.concurrent.atomic.AtomicInteger unreported = new java.util.concurrent.atomic.AtomicInteger();

    /** {@code name} starts the lane's messages: "Model 'x'" or "Endpoint 'y'". */
    public ExecutionLane(String name, String threadName, int queueSize, Runners runners, Clock clock) {
        this.name = name;
        this.runners = runners;
        this.clock = clock;
        this.queue = new LinkedBlockingQueue<>(queueSize);
        this.dispatcher = Thread.ofVirtual().name(threadName).start(this::dispatch);
    }

    @Override
    public void submit(Work w) throws QueueFull {
        if (stopped) throw new QueueFull("Hearth is shutting down and takes no new jobs");
        if (!queue.offer(w)) throw new QueueFull(name + " has " + queue.size() + " jobs waiting, its limit; try again shortly");
    }

    @Override
    public boolean removeQueued(String jobId) {
        return queue.removeIf(w -> w.id().equals(jobId));
    }

    @Override
    public boolean interruptRunning(String jobId) {
        Future<RunOutput> f = running.get(jobId);
        return f != null && f.cancel(true);
    }

    /** Jobs waiting, the one waiting for a runner included. */
    public int queued() {
        return queue.size() + (taken != null ? 1 : 0);
    }

    /** Jobs running now. */
    public int running() {
        return running.size();
    }

    private void dispatch() {
        while (!closed) {
            Work w;
            try {
                w = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (w == null) continue;
            taken = w;
            Lease lease;
            try {
                lease = runners.acquire(w);
            } catch (ModelUnavailable e) {
                taken = null;
                w.failed(e);
                continue;
            } catch (InterruptedException e) {
                taken = null;
                w.failed(new CancellationException("stopped"));
                return;
            }
            taken = null;
            long queueMillis = (System.nanoTime() - w.admittedNanos()) / 1_000_000;
            if (!w.start(queueMillis)) {
                // withdrawn while it waited for the runner: the job engine has already ended it
                lease.callReturned();
                lease.release(false);
                continue;
            }
            unreported.incrementAndGet();
            Thread.ofVirtual().name("job-" + w.id()).start(() -> {
                try {
                    run(w, lease, queueMillis);
                } finally {
                    unreported.decrementAndGet();
                }
            });
        }
    }

    private void run(Work w, Lease lease, long queueMillis) {
        int timeoutSeconds = runners.timeoutSeconds();
        long started = System.nanoTime();
        long startedAt = clock.millis();
        Future<RunOutput> f = runs.submit(() -> {
            try {
                return lease.runner().run(w.input());
            } finally {
                lease.callReturned();
            }
        });
        running.put(w.id(), f);
        try {
            RunOutput out = f.get(timeoutSeconds * 1000L, TimeUnit.MILLISECONDS);
            running.remove(w.id());
            lease.release(true);
            w.succeeded(new Execution(out, queueMillis, processingMillis(out, (System.nanoTime() - started) / 1_000_000), startedAt));
        } catch (TimeoutException e) {
            f.cancel(true);
            end(w, lease, new ExecutionTimeout(name + " did not finish within its execution timeout of " + timeoutSeconds + " s"));
        } catch (CancellationException e) {
            end(w, lease, e);
        } catch (ExecutionException e) {
            end(w, lease, e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause()));
        } catch (InterruptedException e) {
            f.cancel(true);
            end(w, lease, new CancellationException("stopped"));
        } catch (RuntimeException e) {
            end(w, lease, e);
        }
    }

    private void end(Work w, Lease lease, Exception cause) {
        running.remove(w.id());
        lease.release(false);
        w.failed(cause);
    }

    /**
     * The processing time that is reported and billed: what a remote worker says it spent on the job when it
     * says so (the measured time also holds the network and any wait for a free slot on the worker), never
     * more than the gateway measured.
     */
    static long processingMillis(RunOutput out, long measuredMillis) {
        Long reported = out.reportedMillis();
        return reported == null || reported < 0 ? measuredMillis : Math.min(reported, measuredMillis);
    }

    /** Fails every job still waiting with {@code cause} (an endpoint suspended or deleted, a boot that failed). */
    public void failQueued(Exception cause) {
        List<Work> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(w -> w.failed(cause));
    }

    /** Interrupts every running job; each is reported failed with a CancellationException. */
    public void interruptAll() {
        running.values().forEach(f -> f.cancel(true));
    }

    /** Stops taking jobs; returns those still waiting so the engine can keep or fail them. Running jobs go on. */
    public List<Work> stop() {
        stopped = true;
        List<Work> left = new ArrayList<>();
        queue.drainTo(left);
        return left;
    }

    /**
     * Stops the dispatcher, interrupts what still runs and waits (a few seconds at most) until every started
     * job has reported its end, so that each is settled while the database is still open.
     */
    public void close() {
        stopped = true;
        closed = true;
        interruptAll();
        dispatcher.interrupt();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (unreported.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        runs.shutdownNow();
    }
}
