package dev.hearth.runtime;

import dev.hearth.catalog.ModelSpec;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One model's in-process instance and its lifecycle: cold → booting → warm → (idle) → cold. The boot lock
 * makes concurrent first calls wait for a single boot instead of starting one each; a failed boot is
 * remembered (state failed, with the reason) and the next call tries again. Slots bound how many jobs run on
 * the instance at once.
 */
final class ModelInstance {

    private static final Logger log = LoggerFactory.getLogger(ModelInstance.class);

    final ModelSpec spec;
    private final RunnerFactory factory;
    private final ReentrantLock bootLock = new ReentrantLock();
    final Semaphore slots;
    final AtomicInteger busy = new AtomicInteger();
    final AtomicInteger waiting = new AtomicInteger();

    private volatile Runner runner;
    private volatile ModelState state = ModelState.COLD;
    private volatile String detail;
    private volatile Double bootSeconds;
    volatile long lastUsedAt;

    ModelInstance(ModelSpec spec, RunnerFactory factory) {
        this.spec = spec;
        this.factory = factory;
        this.slots = new Semaphore(spec.scaling().slots(), true);
    }

    /** The warm runner, booting it first if needed. Waits at most {@code maxWaitMillis} for another boot. */
    Runner ensureBooted(long maxWaitMillis) throws ModelUnavailable, InterruptedException {
        Runner r = runner;
        if (r != null) return r;
        if (!bootLock.tryLock(maxWaitMillis, TimeUnit.MILLISECONDS)) {
            throw new ModelUnavailable("Model '" + spec.slug() + "' is still booting; try again shortly", null);
        }
        try {
            if (runner != null) return runner;
            state = ModelState.BOOTING;
            long t0 = System.nanoTime();
            log.info("booting model {} ({})", spec.slug(), spec.runner().type());
            try {
                Runner booted = factory.boot(spec.runner(), step -> {
                    detail = step;
                    log.info("boot {}: {}", spec.slug(), step);
                });
                bootSeconds = (System.nanoTime() - t0) / 1e9;
                detail = null;
                runner = booted;
                lastUsedAt = System.currentTimeMillis();
                state = ModelState.WARM;
                log.info("model {} warm after {} s", spec.slug(), String.format("%.2f", bootSeconds));
                return booted;
            } catch (Exception | LinkageError e) {
                state = ModelState.FAILED;
                detail = String.valueOf(e.getMessage());
                log.error("boot of model {} failed: {}", spec.slug(), e.toString(), e);
                throw new ModelUnavailable("Model '" + spec.slug() + "' could not be booted: " + e.getMessage(), e);
            }
        } finally {
            bootLock.unlock();
        }
    }

    /** Unloads the runner when it has been idle for the model's idle timeout and nothing runs or waits. */
    boolean unloadIfIdle(long now) {
        if (runner == null || spec.scaling().minInstances() > 0) return false;
        if (now - lastUsedAt < spec.scaling().idleTimeoutSeconds() * 1000L) return false;
        if (!bootLock.tryLock()) return false;
        try {
            if (busy.get() > 0 || waiting.get() > 0 || runner == null) return false;
            Runner r = runner;
            runner = null;
            state = ModelState.COLD;
            log.info("model {} idle for {} s: unloaded", spec.slug(), spec.scaling().idleTimeoutSeconds());
            closeQuietly(r);
            return true;
        } finally {
            bootLock.unlock();
        }
    }

    void shutdown() {
        Runner r = runner;
        runner = null;
        state = ModelState.COLD;
        if (r != null) closeQuietly(r);
    }

    private void closeQuietly(Runner r) {
        try {
            r.close();
        } catch (Exception e) {
            log.warn("closing model {} failed: {}", spec.slug(), e.toString());
        }
    }

    ModelStatus status() {
        Long last = lastUsedAt == 0 ? null : lastUsedAt;
        return new ModelStatus(state, runner == null ? 0 : 1, busy.get(), waiting.get(), last, bootSeconds, detail);
    }
}
