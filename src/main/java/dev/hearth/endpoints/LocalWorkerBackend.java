package dev.hearth.endpoints;

import dev.hearth.catalog.ModelSpec;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.util.Map;

/**
 * Workers in and beside this Hearth: each worker is a separate instance booted by the runner factory of the
 * model's runner type, never the public pool's instance. For a {@code worker-process} model that is one local
 * {@code hearth worker} process per worker; for an in-process model (embeddings, OCR, upscaler) its own loaded
 * copy of the weights; for a remote runner type its own client to the configured server.
 */
final class LocalWorkerBackend implements WorkerBackend {

    private final Map<String, RunnerFactory> factories;

    LocalWorkerBackend(Map<String, RunnerFactory> factories) {
        this.factories = Map.copyOf(factories);
    }

    boolean canRun(ModelSpec model) {
        return factories.containsKey(model.runner().type());
    }

    @Override
    public Runner boot(Endpoint endpoint, ModelSpec model, String workerId, BootProgress progress) throws Exception {
        RunnerFactory f = factories.get(model.runner().type());
        if (f == null) throw new IllegalStateException("this Hearth has no runner of type '" + model.runner().type() + "'");
        RunnerSpec r = model.runner();
        // one instance per worker: the pool scales workers, so a runner that starts instances itself starts one
        RunnerSpec one = new RunnerSpec(r.type(), r.params(), new RunnerSpec.Instances(1, 1, model.scaling().slots(),
                endpoint.idleTimeout()), r.output());
        return f.boot(one, progress);
    }
}
