package dev.hearth.catalog;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a model's instances are run: how long one stays warm after its last job, how many exist at least and
 * at most, how many jobs one instance runs at once, how long a job may run, how many may wait. {@code backend}
 * says where: {@code local} (in or beside this Hearth, the default) or {@code kubernetes} (the pods of a
 * Deployment, scaled like a dedicated endpoint's workers); {@code gpu} is the hardware class those pods ask
 * for ({@code cpu}: none).
 */
public record Scaling(int idleTimeoutSeconds, int minInstances, int maxInstances, int slots,
                      int executionTimeoutSeconds, int queueSize, String backend, String gpu) {

    public static final String LOCAL = "local";
    public static final String KUBERNETES = "kubernetes";

    /** Scaling on the local backend. */
    public Scaling(int idleTimeoutSeconds, int minInstances, int maxInstances, int slots, int executionTimeoutSeconds, int queueSize) {
        this(idleTimeoutSeconds, minInstances, maxInstances, slots, executionTimeoutSeconds, queueSize, LOCAL, "cpu");
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
                backend, n.path("gpu").asText("cpu"));
    }
}
