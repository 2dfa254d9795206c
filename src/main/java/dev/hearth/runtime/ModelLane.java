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
    private final ExecutorService runs = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread[] workers;
    private volatile boolean stopped;

    ModelLane(ModelInstance instance) {
        this.instance = instance;
        this.queue = new LinkedBlockingQueue<>(instance.spec.scaling().queueSize());
        this.workers = new Thread[instance.spec.scaling().slots()];
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
                w = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            Runner runner;
            try {
                runner = instance.ensureBooted(w.admittedNanos());
            } catch (ModelUnavailable e) {
                w.failed(e);
                continue;
            }
            long queueMillis = (System.nanoTime() - w.admittedNanos()) / 1_000_000;
            if (!w.start(queueMillis)) continue;
            run(w, runner, queueMillis);
        }
    }

    private void run(Work w, Runner runner, long queueMillis) {
        long timeoutMillis = instance.spec.scaling().executionTimeoutSeconds() * 1000L;
        long started = System.nanoTime();
        long startedAt = System.currentTimeMillis();
        Future<RunOutput> f = runs.submit(() -> runner.run(w.input()));
        running.put(w.id(), f);
        try {
            RunOutput out = f.get(timeoutMillis, TimeUnit.MILLISECONDS);
            instance.lastUsedAt = System.currentTimeMillis();
            running.remove(w.id());
            w.succeeded(new Execution(out, queueMillis, (System.nanoTime() - started) / 1_000_000, startedAt));
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
        return running.size();
    }

    boolean idleFor(long millis, long now) {
        return queue.isEmpty() && running.isEmpty() && now - instance.lastUsedAt >= millis;
    }

    /** Stops taking jobs; returns those still waiting so the engine can keep or fail them. */
    java.util.List<Work> stop() {
        stopped = true;
        java.util.List<Work> left = new java.util.ArrayList<>();
        queue.drainTo(left);
        for (Thread t : workers) t.interrupt();
        return left;
    }

    void close() {
        running.values().forEach(f -> f.cancel(true));
        runs.shutdownNow();
        instance.unload("Hearth is stopping");
    }
}
