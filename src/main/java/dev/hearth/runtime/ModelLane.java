package dev.hearth.runtime;

import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;

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
 * One model's bounded queue and the workers that drain it: as many workers as the model has slots, each
 * taking the next job, booting the model if it is cold, and running the job under the execution timeout on a
 * thread of its own so that a timeout or a cancel can interrupt it.
 */
final class ModelLane {

    final ModelInstance instance;
    private final LinkedBlockingQueue<Work> queue;
    private final Map<String, Future<RunOutput>> running = new ConcurrentHashMap<>();
    /**
     * Runs whose runner call has not returned yet. A timed-out or canceled job leaves {@code running} at once,
     * but native code may still be inside the runner: the model is never unloaded while this is above zero.
     */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final ExecutorService runs = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread[] workers;
    private volatile boolean stopped;

    ModelLane(ModelInstance instance) {
        this.instance = instance;
        this.queue = new LinkedBlockingQueue<>(instance.spec.scaling().queueSize());
        // slots are per instance: a model that may scale out to several instances (worker processes, remote
        // servers) gets as many workers as all of them together can take
        this.workers = new Thread[instance.spec.scaling().slots() * instance.spec.scaling().maxInstances()];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofVirtual().name("lane-" + instance.spec.slug() + "-" + i).start(this::work);
        }
    }

    void submit(Work w) throws QueueFull {
        if (stopped) throw new QueueFull("Hearth is shutting down and takes no new jobs");
        if (!queue.offer(w)) {
            throw new QueueFull("Model '" + instance.spec.slug() + "' has " + queue.size() + " jobs waiting, its limit; try again shortly");
        }
    }

    private void work() {
        while (!stopped) {
            Work w;
            try {
                // poll, not take: a stop must not interrupt a worker that is waiting on a running job
                w = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (w == null) continue;
            Runner runner;
            try {
                runner = acquireRunner(w);
            } catch (ModelUnavailable e) {
                w.failed(e);
                continue;
            }
            long queueMillis = (System.nanoTime() - w.admittedNanos()) / 1_000_000;
            if (!w.start(queueMillis)) {
                inFlight.decrementAndGet();
                continue;
            }
            run(w, runner, queueMillis);
        }
    }

    /**
     * The warm runner, counted in flight before it is used. The count and the idle unloader's check happen
     * under the lane's lock, so the unloader can never close a runner that a worker has just picked up.
     */
    private Runner acquireRunner(Work w) throws ModelUnavailable {
        while (true) {
            Runner r = instance.ensureBooted(w.admittedNanos());
            synchronized (this) {
                if (instance.current() == r) {
                    inFlight.incrementAndGet();
                    return r;
                }
            }
            // unloaded between the boot and now: boot again
        }
    }

    /** Unloads the model if it has been idle long enough; the check and the detach are atomic with acquireRunner. */
    void unloadIfIdle(long idleMillis, long now) {
        Runner detached;
        synchronized (this) {
            if (!idleFor(idleMillis, now)) return;
            detached = instance.detach();
        }
        if (detached != null) instance.close(detached, "idle for " + idleMillis / 1000 + " s");
    }

    /** Closes a runner whose workers have all exited, so the status says cold until a job boots it again. */
    void closeIfDead() {
        Runner detached;
        synchronized (this) {
            Runner r = instance.current();
            if (r == null || r.alive() || inFlight.get() > 0) return;
            detached = instance.detach();
        }
        if (detached != null) instance.close(detached, "its worker exited");
    }

    private void run(Work w, Runner runner, long queueMillis) {
        long timeoutMillis = instance.spec.scaling().executionTimeoutSeconds() * 1000L;
        long started = System.nanoTime();
        long startedAt = System.currentTimeMillis();
        Future<RunOutput> f = runs.submit(() -> {
            try {
                return runner.run(w.input());
            } finally {
                inFlight.decrementAndGet();
            }
        });
        running.put(w.id(), f);
        try {
            RunOutput out = f.get(timeoutMillis, TimeUnit.MILLISECONDS);
            instance.lastUsedAt = System.currentTimeMillis();
            running.remove(w.id());
            w.succeeded(new Execution(out, queueMillis, processingMillis(out, (System.nanoTime() - started) / 1_000_000), startedAt));
        } catch (TimeoutException e) {
            f.cancel(true);
            finish(w, new ExecutionTimeout("Model '" + instance.spec.slug() + "' did not finish within its execution timeout of "
                    + instance.spec.scaling().executionTimeoutSeconds() + " s"));
        } catch (CancellationException e) {
            finish(w, e);
        } catch (ExecutionException e) {
            finish(w, e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause()));
        } catch (InterruptedException e) {
            f.cancel(true);
            finish(w, new CancellationException("stopped"));
        }
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

    private void finish(Work w, Exception cause) {
        instance.lastUsedAt = System.currentTimeMillis();
        running.remove(w.id());
        w.failed(cause);
    }

    /** Removes a job that is still waiting; true when it was found in the queue. */
    boolean removeQueued(String id) {
        return queue.removeIf(w -> w.id().equals(id));
    }

    /** Interrupts a running job; its worker then reports it failed with a CancellationException. */
    boolean interruptRunning(String id) {
        Future<RunOutput> f = running.get(id);
        return f != null && f.cancel(true);
    }

    int queued() {
        return queue.size();
    }

    int busy() {
        return inFlight.get();
    }

    boolean idleFor(long millis, long now) {
        return queue.isEmpty() && inFlight.get() == 0 && now - instance.lastUsedAt >= millis;
    }

    /** Stops taking jobs; returns those still waiting so the engine can keep or fail them. Running jobs go on. */
    java.util.List<Work> stop() {
        stopped = true;
        java.util.List<Work> left = new java.util.ArrayList<>();
        queue.drainTo(left);
        return left;
    }

    /**
     * Interrupts what still runs and unloads the model once no runner call is left inside it. Native code
     * ignores interrupts, so a run that does not return within a few seconds keeps the model loaded: the
     * process is exiting anyway, and closing a session under a running call would crash it.
     */
    void close() {
        stopped = true;
        running.values().forEach(f -> f.cancel(true));
        long deadline = System.currentTimeMillis() + 10_000;
        while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() == 0) {
            Runner detached = instance.detach();
            if (detached != null) instance.close(detached, "Hearth is stopping");
        }
        runs.shutdownNow();
    }
}
