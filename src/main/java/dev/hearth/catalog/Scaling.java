package dev.hearth.catalog;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a model's instances are run: how long one stays warm after its last job, how many exist at least and
 * at most, how many jobs one instance runs at once, how long a job may run, how many may wait. {@code backend}
 * says where: {@code local} (in or beside this Hearth, the default) or {@code kubernetes} (the pods of a
 * Deployment, scaled like a dedicated endpoint's workers); {@code gpu} is the hardware class those pods ask
 * for ({@code cpu}: none).
 *
 * <p>{@code batchWindowMillis} and {@code maxBatch} are dynamic batching, for runners that take lists (the
 * embedding runners): concurrent jobs that arrive within the window run as one runner call of at most
 * {@code maxBatch} jobs. A window of 0 or a largest batch of 1 turns it off; other runners ignore both.
 */
public record Scaling(int idleTimeoutSeconds, int minInstances, int maxInstances, int slots,
                      int executionTimeoutSeconds, int queueSize, String backend, String gpu,
                      int batchWindowMillis, int maxBatch) {

    public static final String LOCAL = "local";
    public static final String KUBERNETES = "kubernetes";
    /** How long a lane waits for more jobs to join a batch, by default: short against a model call of milliseconds. */
    public static final int DEFAULT_BATCH_WINDOW_MILLIS = 2;
    public static final int DEFAULT_MAX_BATCH = 32;

    public Scaling {
        if (batchWindowMillis < 0) throw new IllegalArgumentException("scaling.batch_window_ms must be 0 or more, not " + batchWindowMillis);
        if (maxBatch < 0) throw new IllegalArgumentException("scaling.max_batch must be 0 or more, not " + maxBatch);
    }

    /** Scaling on the local backend, with the default batching. */
    public Scaling(int idleTimeoutSeconds, int minInstances, int maxInstances, int slots, int executionTimeoutSeconds, int queueSize) {
        this(idleTimeoutSeconds, minInstances, maxInstances, slots, executionTimeoutSeconds, queueSize, LOCAL, "cpu",
                DEFAULT_BATCH_WINDOW_MILLIS, DEFAULT_MAX_BATCH);
    }

    /** The same scaling with other batch settings (an endpoint keeps its catalog model's). */
    public Scaling withBatching(int batchWindowMillis, int maxBatch) {
        return new Scaling(idleTimeoutSeconds, minInstances, maxInstances, slots, executionTimeoutSeconds, queueSize, backend, gpu,
                batchWindowMillis, maxBatch);
    }

    /** True when jobs may be gathered into one runner call (for a runner that takes lists). */
    public boolean batching() {
        return batchWindowMillis > 0 && maxBatch > 1;
    }

    /** True when the model's instances are Kubernetes pods rather than runners of this Hearth. */
    public boolean onKubernetes() {
        return KUBERNETES.equals(backend);
    }

    static Scaling parse(JsonNode n, String where) {
        String backend = n.path("backend").asText(LOCAL);
        if (!LOCAL.equals(backend) && !KUBERNETES.equals(backend)) {
            throw new IllegalArgumentException(where + ": scaling.backend must be local or kubernetes, not '" + backend + "'");
        }
        return new Scaling(n.path("idle_timeout").asInt(300), n.path("min_instances").asInt(0),
                Math.max(1, n.path("max_instances").asInt(1)), Math.max(1, n.path("slots").asInt(4)),
                Math.max(1, n.path("execution_timeout").asInt(60)), Math.max(1, n.path("queue_size").asInt(256)),
                backend, n.path("gpu").asText("cpu"),
                wholeNumber(n, "batch_window_ms", DEFAULT_BATCH_WINDOW_MILLIS, where),
                wholeNumber(n, "max_batch", DEFAULT_MAX_BATCH, where));
    }

    private static int wholeNumber(JsonNode n, String name, int fallback, String where) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return fallback;
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0)
            throw new IllegalArgumentException(where + ": scaling." + name + " must be a whole number, 0 or more, not '" + v + "'");
        return v.asInt();
    }
}
