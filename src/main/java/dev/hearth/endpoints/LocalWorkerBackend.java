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

    /**
     * Runner types that only talk to servers Hearth does not start (Cog servers at fixed URLs, OpenAI-compatible
     * servers, providers): a worker of theirs would share those servers and the provider's per-token costs.
     */
    static final java.util.Set<String> SHARED_REMOTE = java.util.Set.of("cog", "openai", "provider");

    @Override
    public String refusal(ModelSpec model) {
        String type = model.runner().type();
        if (!factories.containsKey(type)) return "it has runner type '" + type + "', which this Hearth cannot run";
        if (SHARED_REMOTE.contains(type)) {
            return "it runs on shared remote servers (runner type '" + type + "'), so no worker of it can be dedicated to an endpoint; "
                    + "dedicated endpoints serve built-in and worker-process models (or Cog images on the kubernetes backend)";
        }
        return null;
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
