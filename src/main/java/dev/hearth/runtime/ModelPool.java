package dev.hearth.runtime;

import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.runners.RunnerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The models this process runs, each with its queue, workers and instance (a {@link ModelLane}). Models boot
 * on their first job and are unloaded after their idle timeout (scale to zero), unless {@code min_instances}
 * keeps them warm. Queue time covers waiting for a boot and for a slot; neither is billed.
 */
public final class ModelPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelPool.class);

    private final Map<String, RunnerFactory> factories;
    private final Map<String, ModelLane> lanes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r ->
            Thread.ofPlatform().daemon().name("hearth-idle-reaper").unstarted(r));

    public ModelPool(Catalog catalog, Map<String, RunnerFactory> factories) {
        this.factories = Map.copyOf(factories);
        for (ModelSpec spec : catalog.all()) {
            RunnerFactory f = factories.get(spec.runner().type());
            if (f != null && spec.enabled() && !spec.retired()) lanes.put(spec.slug(), new ModelLane(new ModelInstance(spec, f)));
        }
        reaper.scheduleWithFixedDelay(this::unloadIdle, 1, 1, TimeUnit.SECONDS);
        lanes.values().stream().filter(l -> l.instance.spec.scaling().minInstances() > 0).forEach(l -> warm(l.instance.spec.slug()));
    }

    /** True when a runner type is known, so the catalog can say which entries cannot run here. */
    public boolean canRun(ModelSpec spec) {
        return factories.containsKey(spec.runner().type());
    }

    public void submit(ModelSpec spec, Work work) throws QueueFull, ModelUnavailable {
        ModelLane lane = lanes.get(spec.slug());
        if (lane == null) throw new ModelUnavailable("Model '" + spec.slug() + "' has runner type '" + spec.runner().type()
                + "', which this Hearth cannot run", null);
        lane.submit(work);
    }

    /** Boots a model in the background (pre-warm). Returns false for a model this process cannot run. */
    public boolean warm(String slug) {
        ModelLane lane = lanes.get(slug);
        if (lane == null) return false;
        Thread.ofVirtual().name("warm-" + slug).start(() -> {
            try {
                lane.instance.ensureBooted(System.nanoTime());
            } catch (ModelUnavailable e) {
                log.warn("pre-warming {} failed: {}", slug, e.getMessage());
            }
        });
        return true;
    }

    /** Cancels a job: removed if still queued (true), interrupted if running (its worker reports it). */
    public boolean removeQueued(String slug, String jobId) {
        ModelLane lane = lanes.get(slug);
        return lane != null && lane.removeQueued(jobId);
    }

    public boolean interruptRunning(String slug, String jobId) {
        ModelLane lane = lanes.get(slug);
        return lane != null && lane.interruptRunning(jobId);
    }

    public ModelStatus status(String slug) {
        ModelLane lane = lanes.get(slug);
        if (lane == null) return new ModelStatus(ModelState.COLD, 0, 0, 0, null, null, "no runner of this type here", null);
        ModelInstance i = lane.instance;
        Long last = i.lastUsedAt == 0 ? null : i.lastUsedAt;
        var current = i.current();
        int instances = current == null ? 0 : current.instances();
        return new ModelStatus(i.state(), instances, lane.busy(), lane.queued(), last, i.bootSeconds(), i.detail(), i.bootProgress());
    }

    /** How many times a model was booted since start (for tests and metrics). */
    public long boots(String slug) {
        ModelLane lane = lanes.get(slug);
        return lane == null ? 0 : lane.instance.boots.get();
    }

    public int busy() {
        return lanes.values().stream().mapToInt(ModelLane::busy).sum();
    }

    private void unloadIdle() {
        long now = System.currentTimeMillis();
        for (ModelLane lane : lanes.values()) {
            lane.closeIfDead();
            var scaling = lane.instance.spec.scaling();
            if (scaling.minInstances() > 0 || !lane.instance.warm()) continue;
            lane.unloadIfIdle(scaling.idleTimeoutSeconds() * 1000L, now);
        }
    }

    /** Stops taking jobs and returns the ones still queued; running jobs go on until {@link #close()}. */
    public List<Work> stopAccepting() {
        List<Work> left = new ArrayList<>();
        lanes.values().forEach(l -> left.addAll(l.stop()));
        return left;
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        lanes.values().forEach(ModelLane::close);
    }
}
