package dev.hearth.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.config.HearthConfig;

/** Picks the worker backend named by {@code endpoints.backend}: {@code local} (the default) or {@code kubernetes}. */
public final class WorkerBackends {

    private WorkerBackends() {
    }

    /** The configured backend, or null for the local one (which needs the runner factories {@link Endpoints#serve} has). */
    public static WorkerBackend fromConfig(HearthConfig config) {
        JsonNode section = config.section("endpoints");
        String name = section.path("backend").asText("local");
        return switch (name) {
            case "local" -> null;
            case "kubernetes" -> KubernetesWorkerBackend.fromConfig(section.path("kubernetes"));
            default -> throw new IllegalArgumentException("endpoints.backend must be local or kubernetes, not '" + name + "'");
        };
    }
}
