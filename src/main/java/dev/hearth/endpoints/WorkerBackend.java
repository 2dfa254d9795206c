package dev.hearth.endpoints;

import dev.hearth.catalog.ModelSpec;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;

/**
 * Where an endpoint's workers run. The pool decides how many workers there are (the {@link Scaler}); the
 * backend starts each one and hands back the {@link Runner} its jobs are sent to. {@link LocalWorkerBackend}
 * boots each worker as its own instance of the model's runner in this Hearth (for a {@code worker-process}
 * model: its own local {@code hearth worker} process); {@link KubernetesWorkerBackend} keeps a Deployment per
 * endpoint at the pool's size.
 */
public interface WorkerBackend {

    /**
     * Why this backend cannot start dedicated workers for {@code model}, or null when it can. An endpoint of
     * such a model is refused (422): its "workers" would share servers with everyone, or cost more per call
     * than the worker-second billing covers.
     */
    String refusal(ModelSpec model);

    /** Starts one worker of the endpoint; returns once it can take jobs. Its up-time is billed from the call on. */
    Runner boot(Endpoint endpoint, ModelSpec model, String workerId, BootProgress progress) throws Exception;

    /**
     * The pool now wants {@code workers} workers: called before it boots more, and after a worker it stopped
     * has closed (so a backend that picks which instance to remove can remove that one).
     */
    default void scaled(Endpoint endpoint, ModelSpec model, int workers) throws Exception {
    }

    /** The endpoint was deleted: remove whatever the backend made for it. */
    default void removed(Endpoint endpoint) throws Exception {
    }
}
