package dev.hearth.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.config.HearthConfig;

/** Picks the worker backend named by {@code endpoints.backend}: {@code local} (the default) or {@code kubernetes}. */
public final class WorkerBackends {

    private WorkerBackends() {
    }

    /**
     * The configured backend. {@code runners}: the runner types of this Hearth (local workers boot through them);
     * {@code workerTypes}: those `hearth worker` serves (the built-in ones, for Kubernetes pods).
     */
    public static WorkerBackend fromConfig(HearthConfig config, java.util.Map<String, dev.hearth.runners.RunnerFactory> runners,
                                           java.util.Set<String> workerTypes) {
        JsonNode section = config.section("endpoints");
        String name = section.path("backend").asText("local");
        return switch (name) {
            case "local" -> new LocalWorkerBackend(runners);
            case "kubernetes" -> KubernetesWorkerBackend.fromConfig(section.path("kubernetes"), workerTypes);
            default -> throw new IllegalArgumentException("endpoints.backend must be local or kubernetes, not '" + name + "'");
        };
    }
}
