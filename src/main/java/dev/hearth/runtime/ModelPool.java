package dev.hearth.runtime;

import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs jobs on models, booting them on demand and unloading them after their idle timeout (scale to zero).
 * A job's queue time covers waiting for a boot and for a free slot; neither is billed. Processing time is the
 * runner's own time, bounded by the model's execution timeout.
 */
public final class ModelPool implements AutoCloseable {

    private final Map<String, RunnerFactory> factories;
    private final Map<String, ModelInstance> instances = new ConcurrentHashMap<>();
    private final ExecutorService jobs = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hearth-idle-reaper");
        t.setDaemon(true);
        return t;
    });

    public ModelPool(Catalog catalog, Map<String, RunnerFactory> factories) {
        this.factories = Map.copyOf(factories);
        for (ModelSpec spec : catalog.all()) {
            RunnerFactory f = factories.get(spec.runner().type());
            if (f != null) instances.put(spec.slug(), new ModelInstance(spec, f));
        }
        reaper.scheduleWithFixedDelay(this::reapIdle, 1, 1, TimeUnit.SECONDS);
    }

    /** True when a runner type is known, so the catalog can say which entries cannot run here. */
    public boolean canRun(ModelSpec spec) {
        return factories.containsKey(spec.runner().type());
    }

    public Execution run(ModelSpec spec, RunInput input) throws Exception {
        ModelInstance inst = instances.get(spec.slug());
        if (inst == null) throw new ModelUnavailable("Model '" + spec.slug() + "' has runner type '" + spec.runner().type()
                + "', which this Hearth cannot run", null);
        long submitted = System.nanoTime();
        long timeoutMillis = spec.scaling().executionTimeoutSeconds() * 1000L;
        inst.waiting.incrementAndGet();
        Runner runner;
        try {
            runner = inst.ensureBooted(Math.max(timeoutMillis, 120_000));
            if (!inst.slots.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new ModelUnavailable("Model '" + spec.slug() + "' had no free slot within " + spec.scaling().executionTimeoutSeconds() + " s", null);
            }
        } finally {
            inst.waiting.decrementAndGet();
        }
        long started = System.nanoTime();
        long startedAt = System.currentTimeMillis();
        inst.busy.incrementAndGet();
        Future<Object> f = jobs.submit(() -> runner.run(input));
        try {
            Object out = f.get(timeoutMillis, TimeUnit.MILLISECONDS);
            long done = System.nanoTime();
            return new Execution((dev.hearth.runners.RunOutput) out, (started - submitted) / 1_000_000, (done - started) / 1_000_000, startedAt);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new ExecutionTimeout("Model '" + spec.slug() + "' did not finish within its execution timeout of "
                    + spec.scaling().executionTimeoutSeconds() + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause());
        } finally {
            inst.busy.decrementAndGet();
            inst.lastUsedAt = System.currentTimeMillis();
            inst.slots.release();
        }
    }

    public ModelStatus status(String slug) {
        ModelInstance inst = instances.get(slug);
        return inst == null ? new ModelStatus(ModelState.COLD, 0, 0, 0, null, null, "no runner of this type here") : inst.status();
    }

    private void reapIdle() {
        long now = System.currentTimeMillis();
        instances.values().forEach(i -> i.unloadIfIdle(now));
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        jobs.shutdownNow();
        instances.values().forEach(ModelInstance::shutdown);
    }
}
