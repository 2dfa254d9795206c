package dev.hearth.runtime;

import dev.hearth.runners.Runner;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A catalog model's runners, behind its {@link ExecutionLane}: one instance booted on the first job (the boot
 * lock makes every waiting job share that boot), taking as many jobs at once as the model has slots on all its
 * instances, and unloaded after its idle timeout (scale to zero).
 */
final class ModelRunners implements ExecutionLane.Runners {

    final ModelInstance instance;
    final ExecutionLane lane;
    private final Clock clock;
    /** Free job places: slots per instance × instances (worker processes, remote servers). */
    private final Semaphore places;
    /**
     * Runs whose runner call has not returned yet. A timed-out or canceled job gives its place back at once,
     * but native code may still be inside the runner: the model is never unloaded while this is above zero.
     */
    private final AtomicInteger inFlight = new AtomicInteger();

    ModelRunners(ModelInstance instance, Clock clock) {
        this.instance = instance;
        this.clock = clock;
        this.places = new Semaphore(instance.spec.scaling().slots() * instance.spec.scaling().maxInstances());
        this.lane = new ExecutionLane("Model '" + instance.spec.slug() + "'", "lane-" + instance.spec.slug(),
                instance.spec.scaling().queueSize(), this, clock);
    }

    @Override
    public int timeoutSeconds() {
        return instance.spec.scaling().executionTimeoutSeconds();
    }

    @Override
    public int batchWindowMillis() {
        return instance.spec.scaling().batchWindowMillis();
    }

    @Override
    public int maxBatch() {
        return instance.spec.scaling().maxBatch();
    }

    @Override
    public int freeSlots() {
        return places.availablePermits();
    }

    @Override
    public ExecutionLane.Lease acquire(Work w) throws ModelUnavailable, InterruptedException {
        places.acquire();
        Runner r;
        try {
            r = acquireRunner(w);
        } catch (ModelUnavailable | RuntimeException e) {
            places.release();
            throw e;
        }
        return lease(r);
    }

    /** A place and the warm runner, or null when either would have to be waited for (the job then queues). */
    @Override
    public ExecutionLane.Lease tryAcquire(Work w) {
        if (!places.tryAcquire()) return null;
        Runner r = instance.current();
        if (r != null && r.alive()) {
            synchronized (this) {
                if (instance.current() == r) {
                    inFlight.incrementAndGet();
                    return lease(r);
                }
            }
        }
        places.release();
        return null;
    }

    private ExecutionLane.Lease lease(Runner r) {
        return new ExecutionLane.Lease() {
            @Override
            public Runner runner() {
                return r;
            }

            @Override
            public void callReturned() {
                inFlight.decrementAndGet();
            }

            @Override
            public void release(boolean served) {
                instance.lastUsedAt = clock.millis();
                places.release();
            }
        };
    }

    /**
     * The warm runner, counted in flight before it is used. The count and the idle unloader's check happen
     * under this object's lock, so the unloader can never close a runner that a job has just picked up.
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

    int queued() {
        return lane.queued();
    }

    int busy() {
        return inFlight.get();
    }

    boolean idleFor(long millis, long now) {
        return lane.queued() == 0 && inFlight.get() == 0 && now - instance.lastUsedAt >= millis;
    }

    List<Work> stop() {
        return lane.stop();
    }

    /**
     * Interrupts what still runs and unloads the model once no runner call is left inside it. Native code
     * ignores interrupts, so a run that does not return within a few seconds keeps the model loaded: the
     * process is exiting anyway, and closing a session under a running call would crash it.
     */
    void close() {
        lane.interruptAll();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
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
        lane.close();
    }
}
