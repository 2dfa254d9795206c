package dev.hearth.runtime;

import dev.hearth.catalog.ModelSpec;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One model's in-process instance and its lifecycle: cold → booting → warm → (idle) → cold. The boot lock
 * makes concurrent first jobs wait for a single boot instead of starting one each. A failed boot fails every
 * job admitted before it ended (they waited for that boot) and marks the model failed with the reason; a job
 * admitted afterwards tries again.
 */
final class ModelInstance {

    private static final Logger log = LoggerFactory.getLogger(ModelInstance.class);

    final ModelSpec spec;
    private final RunnerFactory factory;
    private final ReentrantLock bootLock = new ReentrantLock();

    private volatile Runner runner;
    private volatile ModelState state = ModelState.COLD;
    private volatile String detail;
    /** How far the current boot step is (0..1) when the step says so, as a download's "(42%)" does; else null. */
    private volatile Double bootProgress;
    private volatile Double bootSeconds;
    private volatile long failedAtNanos = Long.MIN_VALUE;
    private volatile ModelUnavailable failure;
    volatile long lastUsedAt;
    final java.util.concurrent.atomic.AtomicLong boots = new java.util.concurrent.atomic.AtomicLong();

    private final java.time.Clock clock;

    ModelInstance(ModelSpec spec, RunnerFactory factory, java.time.Clock clock) {
        this.spec = spec;
        this.factory = factory;
        this.clock = clock;
    }

    /** The warm runner, booting it first if needed, for a job admitted at {@code admittedNanos}. */
    Runner ensureBooted(long admittedNanos) throws ModelUnavailable {
        Runner r = runner;
        if (r != null && r.alive()) return r;
        bootLock.lock();
        try {
            if (runner != null && !runner.alive()) {
                // every worker process behind it has exited: its jobs failed; this job boots a new one
                Runner dead = runner;
                runner = null;
                state = ModelState.COLD;
                close(dead, "its worker exited");
            }
            if (runner != null) return runner;
            if (failure != null && failedAtNanos - admittedNanos >= 0) throw failure;
            return boot();
        } finally {
            bootLock.unlock();
        }
    }

    private Runner boot() throws ModelUnavailable {
        state = ModelState.BOOTING;
        detail = "starting";
        long t0 = System.nanoTime();
        boots.incrementAndGet();
        log.info("booting model {} ({})", spec.slug(), spec.runner().type());
        try {
            Runner booted = factory.boot(spec.runner(), step -> {
                detail = step;
                bootProgress = percentOf(step);
                log.info("boot {}: {}", spec.slug(), step);
            });
            bootSeconds = (System.nanoTime() - t0) / 1e9;
            detail = null;
            bootProgress = null;
            failure = null;
            lastUsedAt = clock.millis();
            runner = booted;
            state = ModelState.WARM;
            log.info("model {} warm after {} s", spec.slug(), String.format("%.2f", bootSeconds));
            return booted;
        } catch (Exception | LinkageError e) {
            detail = String.valueOf(e.getMessage());
            bootProgress = null;
            failure = new ModelUnavailable("Model '" + spec.slug() + "' could not be booted: " + e.getMessage(), e);
            failedAtNanos = System.nanoTime();
            state = ModelState.FAILED;
            log.error("boot of model {} failed: {}", spec.slug(), e.toString());
            throw failure;
        }
    }

    /**
     * Takes the runner out of service (state cold) without closing it; null when there is none or a boot is
     * under way. The caller closes it once nothing uses it.
     */
    Runner detach() {
        if (runner == null || !bootLock.tryLock()) return null;
        try {
            Runner r = runner;
            runner = null;
            if (r != null) state = ModelState.COLD;
            return r;
        } finally {
            bootLock.unlock();
        }
    }

    Runner current() {
        return runner;
    }

    void close(Runner r, String why) {
        log.info("model {} unloaded: {}", spec.slug(), why);
        closeQuietly(r);
    }

    boolean warm() {
        return runner != null;
    }

    private void closeQuietly(Runner r) {
        try {
            r.close();
        } catch (Exception e) {
            log.warn("closing model {} failed: {}", spec.slug(), e.toString());
        }
    }

    ModelState state() {
        return state;
    }

    String detail() {
        return detail;
    }

    Double bootSeconds() {
        return bootSeconds;
    }

    Double bootProgress() {
        return bootProgress;
    }

    /** A boot step's own percentage, as the artifact download reports it: "weights: 1.0 MB / 4.0 MB (25%)". */
    private static final Pattern PERCENT = Pattern.compile("\\((\\d{1,3})%\\)");

    static Double percentOf(String step) {
        Matcher m = step == null ? null : PERCENT.matcher(step);
        return m != null && m.find() ? Math.min(100, Integer.parseInt(m.group(1))) / 100.0 : null;
    }
}
