package dev.hearth.runtime;

import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.runners.RunnerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The catalog models this process runs, each with its {@link ExecutionLane} and instance ({@link ModelRunners}). Models boot
 * on their first job and are unloaded after their idle timeout (scale to zero), unless {@code min_instances}
 * keeps them warm. Queue time covers waiting for a boot and for a slot; neither is billed.
 */
public final class ModelPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelPool.class);

    private final Map<String, RunnerFactory> factories;
    private final Clock clock;
    private final Map<String, ModelRunners> lanes = new ConcurrentHashMap<>();
    /** Lanes of catalog models whose instances run elsewhere (Kubernetes workers), by slug. */
    private final Map<String, JobLane> elsewhere;
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r ->
            Thread.ofPlatform().daemon().name("hearth-idle-reaper").unstarted(r));

    /** {@code clock} decides when a model has been idle long enough to unload. */
    public ModelPool(Catalog catalog, Map<String, RunnerFactory> factories, Clock clock) {
        this(catalog, factories, clock, Map.of());
    }

    /**
     * {@code elsewhere}: the lanes of catalog models whose instances are not runners of this process (the
     * Kubernetes workers of {@code scaling.backend: kubernetes}); their jobs go there and nothing boots here.
     */
    public ModelPool(Catalog catalog, Map<String, RunnerFactory> factories, Clock clock, Map<String, JobLane> elsewhere) {
        this.factories = Map.copyOf(factories);
        this.clock = clock;
        this.elsewhere = Map.copyOf(elsewhere);
        for (ModelSpec spec : catalog.all()) {
            if (this.elsewhere.containsKey(spec.slug())) continue;
            RunnerFactory f = factories.get(spec.runner().type());
            if (f != null && spec.enabled() && !spec.retired()) lanes.put(spec.slug(), new ModelRunners(new ModelInstance(spec, f, clock), clock));
        }
        reaper.scheduleWithFixedDelay(this::unloadIdle, 1, 1, TimeUnit.SECONDS);
        lanes.values().stream().filter(l -> l.instance.spec.scaling().minInstances() > 0).forEach(l -> warm(l.instance.spec.slug()));
    }

    /** True when a runner type is known, so the catalog can say which entries cannot run here. */
    public boolean canRun(ModelSpec spec) {
        return factories.containsKey(spec.runner().type());
    }

    /** The lane a catalog model's jobs go to; one that refuses every job when this Hearth cannot run the model. */
    public JobLane lane(ModelSpec spec) {
        JobLane remote = elsewhere.get(spec.slug());
        if (remote != null) return remote;
        ModelRunners lane = lanes.get(spec.slug());
        return lane != null ? lane.lane : JobLane.refusing("Model '" + spec.slug() + "' has runner type '" + spec.runner().type()
                + "', which this Hearth cannot run");
    }

    /** Boots a model in the background (pre-warm). Returns false for a model this process cannot run. */
    public boolean warm(String slug) {
        ModelRunners lane = lanes.get(slug);
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

    public ModelStatus status(String slug) {
        ModelRunners lane = lanes.get(slug);
        if (lane == null) {
            String where = elsewhere.containsKey(slug) ? "runs on Kubernetes workers" : "no runner of this type here";
            return new ModelStatus(ModelState.COLD, 0, 0, 0, null, null, where, null);
        }
        ModelInstance i = lane.instance;
        Long last = i.lastUsedAt == 0 ? null : i.lastUsedAt;
        var current = i.current();
        int instances = current == null ? 0 : current.instances();
        return new ModelStatus(i.state(), instances, lane.busy(), lane.queued(), last, i.bootSeconds(), i.detail(), i.bootProgress());
    }

    /** How many times a model was booted since start (for tests and metrics). */
    public long boots(String slug) {
        ModelRunners lane = lanes.get(slug);
        return lane == null ? 0 : lane.instance.boots.get();
    }

    /** Runs a model's lane started (one per batch) and the jobs they carried, since start: {runs, jobs}. */
    public long[] runsAndJobs(String slug) {
        ModelRunners lane = lanes.get(slug);
        return lane == null ? new long[]{0, 0} : new long[]{lane.lane.runsStarted(), lane.lane.jobsStarted()};
    }

    public int busy() {
        return lanes.values().stream().mapToInt(ModelRunners::busy).sum();
    }

    /** Unloads every model idle for its idle timeout; runs each second, and when a test has moved its clock. */
    void unloadIdle() {
        long now = clock.millis();
        for (ModelRunners lane : lanes.values()) {
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
        lanes.values().forEach(ModelRunners::close);
    }
}
