package dev.hearth.runners.process;

import dev.hearth.runners.BootProgress;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerSpec;
import dev.hearth.runners.cog.CogClient;
import dev.hearth.runners.cog.CogPredictions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A model served by worker processes this gateway starts and stops itself. Booting starts the minimum number
 * of processes (at least one) and waits until each says READY. Jobs go round-robin to the processes; when all
 * of them are busy and fewer than {@code max_instances} run, another one is started in the background. A
 * process beyond the minimum that has had no job for the idle timeout is stopped; the pool stops the last
 * ones when the whole model is idle (scale to zero). A process that dies fails the jobs it was running;
 * once none is left the runner says it is no longer alive, and the pool boots the model again for the next job.
 */
final class WorkerProcessRunner implements Runner {

    private static final Logger log = LoggerFactory.getLogger(WorkerProcessRunner.class);

    private final WorkerProcessRunnerFactory.Settings settings;
    private final RunnerSpec.Instances limits;
    private final CogPredictions predictions;
    private final List<WorkerProcess> processes = new CopyOnWriteArrayList<>();
    private final AtomicBoolean growing = new AtomicBoolean();
    private volatile boolean closed;

    WorkerProcessRunner(WorkerProcessRunnerFactory.Settings settings, RunnerSpec.Instances limits, CogPredictions predictions) {
        this.settings = settings;
        this.limits = limits;
        this.predictions = predictions;
    }

    /** Starts one process and waits for it to be ready; on failure it is stopped and the reason thrown. */
    void startOne(BootProgress progress) throws Exception {
        long t0 = System.nanoTime();
        WorkerProcess wp = WorkerProcess.start(settings.command(), settings.env(), settings.host(), settings.logDir(), settings.http());
        progress.step("started " + wp.describe() + " (log " + wp.log + ")");
        try {
            awaitReady(wp, progress, t0);
        } catch (Exception | Error e) {
            wp.stop();
            throw e;
        }
        if (closed) {
            wp.stop();
            throw new IOException("the model was unloaded while its worker started");
        }
        processes.add(wp);
        progress.step(String.format(Locale.ROOT, "%s ready in %.1f s (%d running)", wp.describe(), (System.nanoTime() - t0) / 1e9, processes.size()));
    }

    private void awaitReady(WorkerProcess wp, BootProgress progress, long t0) throws Exception {
        long deadline = t0 + settings.bootTimeoutSeconds() * 1_000_000_000L;
        CogClient.Health last = null;
        while (true) {
            if (!wp.alive()) {
                throw new IOException(wp.describe() + " " + wp.exitDescription() + " before it was ready; its log ends with: " + wp.logTail());
            }
            CogClient.HealthReport h = wp.client.health();
            switch (h.status()) {
                case READY, BUSY -> {
                    return;
                }
                case SETUP_FAILED, DEFUNCT -> throw new IOException(wp.describe() + " says " + h.status() + ": " + h.setupLogs().strip());
                default -> {
                    if (h.status() != last) {
                        String what = h.status() == CogClient.Health.UNREACHABLE ? "process starting" : h.status().name().toLowerCase(Locale.ROOT);
                        String lastLine = h.setupLogs().isBlank() || h.status() == CogClient.Health.UNREACHABLE ? ""
                                : ": " + h.setupLogs().strip().lines().reduce((a, b) -> b).orElse("");
                        progress.step(String.format(Locale.ROOT, "waiting for %s: %s%s (%.1f s)", wp.describe(), what, lastLine, (System.nanoTime() - t0) / 1e9));
                        last = h.status();
                    }
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException(wp.describe() + " was not ready within " + settings.bootTimeoutSeconds() + " s (last: " + h.status() + ")");
            }
            Thread.sleep(100);
        }
    }

    @Override
    public RunOutput run(RunInput input) throws Exception {
        return predictions.run(input, new CogPredictions.Servers() {
            @Override
            public List<CogClient> ready() throws IOException {
                reap();
                if (processes.isEmpty()) throw new IOException("the model's worker process has exited; the next request starts a new one");
                return processes.stream().map(p -> p.client).toList();
            }

            @Override
            public void allBusy() {
                grow();
            }

            @Override
            public boolean gone(CogClient c) {
                WorkerProcess wp = of(c);
                return wp == null || wp.exitedWithin(2000);
            }

            @Override
            public void using(CogClient c, boolean starting) {
                WorkerProcess wp = of(c);
                if (wp == null) return;
                if (starting) wp.inFlight.incrementAndGet();
                else wp.inFlight.decrementAndGet();
                wp.lastUsedNanos = System.nanoTime();
            }
        });
    }

    private WorkerProcess of(CogClient c) {
        for (WorkerProcess wp : processes) if (wp.client == c) return wp;
        return null;
    }

    /** Forgets processes that exited, stops surplus ones idle for the idle timeout, and keeps the minimum. */
    private void reap() {
        for (WorkerProcess wp : processes) {
            if (!wp.alive()) {
                processes.remove(wp);
                log.warn("{} {}; its log ends with: {}", wp.describe(), wp.exitDescription(), wp.logTail());
            }
        }
        long idleNanos = limits.idleTimeoutSeconds() * 1_000_000_000L;
        int keep = Math.max(1, limits.min());
        for (WorkerProcess wp : processes) {
            if (processes.size() <= keep) break;
            if (wp.inFlight.get() == 0 && System.nanoTime() - wp.lastUsedNanos > idleNanos && processes.remove(wp)) {
                log.info("stopping {}: idle for {} s", wp.describe(), limits.idleTimeoutSeconds());
                Thread.ofVirtual().start(wp::stop);
            }
        }
        if (!processes.isEmpty() && processes.size() < limits.min()) grow();
    }

    /** Starts one more process in the background, unless one is starting or the maximum runs. */
    private void grow() {
        if (closed || processes.size() >= limits.max() || !growing.compareAndSet(false, true)) return;
        Thread.ofVirtual().name("worker-scale-up").start(() -> {
            try {
                startOne(step -> log.info("scale up: {}", step));
            } catch (Exception e) {
                log.warn("starting another worker process failed: {}", e.getMessage());
            } finally {
                growing.set(false);
            }
        });
    }

    @Override
    public boolean alive() {
        return !closed && (growing.get() || processes.stream().anyMatch(WorkerProcess::alive));
    }

    @Override
    public int instances() {
        return (int) processes.stream().filter(WorkerProcess::alive).count();
    }

    @Override
    public void close() {
        closed = true;
        List<Thread> stopping = processes.stream().map(wp -> Thread.ofVirtual().start(wp::stop)).toList();
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        processes.clear();
    }
}
