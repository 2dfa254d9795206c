package dev.hearth.catalog;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a model's instances are run: how long one stays warm after its last job, how many exist at least and
 * at most, how many jobs one instance runs at once, how long a job may run, how many may wait.
 */
public record Scaling(int idleTimeoutSeconds, int minInstances, int maxInstances, int slots,
                      int executionTimeoutSeconds, int queueSize) {

    static Scaling parse(JsonNode n) {
        return new Scaling(n.path("idle_timeout").asInt(300), n.path("min_instances").asInt(0),
                Math.max(1, n.path("max_instances").asInt(1)), Math.max(1, n.path("slots").asInt(4)),
                Math.max(1, n.path("execution_timeout").asInt(60)), Math.max(1, n.path("queue_size").asInt(256)));
    }
}
