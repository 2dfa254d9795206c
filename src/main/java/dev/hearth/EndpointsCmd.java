package dev.hearth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.endpoints.Endpoints;
import dev.hearth.http.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code hearth endpoints add|list|update|delete --account ID}: the dedicated-endpoint control API (SPEC §9) for
 * the operator, through the same code and validation as {@code /endpoint/*}. A running Hearth on the same data
 * picks the change up within a couple of seconds.
 */
@Command(name = "endpoints", description = "Create, list, change and delete an account's dedicated endpoints.",
        subcommands = {EndpointsCmd.Add.class, EndpointsCmd.ListCmd.class, EndpointsCmd.Update.class, EndpointsCmd.Delete.class})
final class EndpointsCmd {

    /** The settings every command may give; only those given are sent. */
    static class Settings {
        @Option(names = "--name", description = "Endpoint name (slug rules; never a catalog or reserved slug)") String name;
        @Option(names = "--model", description = "Catalog slug of the model the endpoint runs") String model;
        @Option(names = "--workers-min", description = "Workers kept up (0: scale to zero)") Integer workersMin;
        @Option(names = "--workers-max", description = "Most workers (1-10)") Integer workersMax;
        @Option(names = "--idle-timeout", description = "Seconds a worker may be idle before it stops") Integer idleTimeout;
        @Option(names = "--execution-timeout", description = "Seconds one call may run") Integer executionTimeout;
        @Option(names = "--scaler-value", description = "Queued plus running calls per worker (REQUEST_COUNT)") Integer scalerValue;
        @Option(names = "--gpu", description = "Hardware class (endpoints.hardware), e.g. cpu, L40S, A100, H100") String gpu;

        ObjectNode body() {
            ObjectNode b = Json.object();
            if (name != null) b.put("endpoint_name", name);
            if (model != null) b.put("model_name", model);
            if (workersMin != null) b.put("workers_min", workersMin);
            if (workersMax != null) b.put("workers_max", workersMax);
            if (idleTimeout != null) b.put("idle_timeout", idleTimeout);
            if (executionTimeout != null) b.put("execution_timeout", executionTimeout);
            if (scalerValue != null) b.put("scaler_value", scalerValue);
            if (gpu != null) b.put("gpu_id", gpu);
            return b;
        }
    }

    static Endpoints control(HearthApp app) {
        return Endpoints.control(app.db, app.catalog, app.config, app.endpointWorkers(), app.clock);
    }

    @Command(name = "add", description = "Create an endpoint; prints its id.")
    static class Add implements Callable<Integer> {
        @CommandLine.Mixin Hearth.Common common = new Hearth.Common();
        @Option(names = "--account", required = true) String account;
        @CommandLine.Mixin Settings settings = new Settings();

        public Integer call() {
            try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                Hearth.print(control(app).add(account, settings.body()));
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List an account's endpoints with their settings, status and billing.")
    static class ListCmd implements Callable<Integer> {
        @CommandLine.Mixin Hearth.Common common = new Hearth.Common();
        @Option(names = "--account", required = true) String account;

        public Integer call() {
            try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                Hearth.print(Json.object().set("endpoints", control(app).list(account)));
            }
            return 0;
        }
    }

    @Command(name = "update", description = "Change an endpoint's settings (also resumes a suspended one).")
    static class Update implements Callable<Integer> {
        @CommandLine.Mixin Hearth.Common common = new Hearth.Common();
        @Option(names = "--account", required = true) String account;
        @Option(names = "--id", description = "Endpoint id (else --name says which)") String id;
        @CommandLine.Mixin Settings settings = new Settings();

        public Integer call() {
            try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                ObjectNode b = settings.body();
                if (id != null) b.put("endpoint_id", id);
                Hearth.print(control(app).update(account, b));
            }
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete an endpoint; a running Hearth stops its workers and its billing.")
    static class Delete implements Callable<Integer> {
        @CommandLine.Mixin Hearth.Common common = new Hearth.Common();
        @Option(names = "--account", required = true) String account;
        @Option(names = "--id") String id;
        @Option(names = "--name") String name;

        public Integer call() {
            try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                ObjectNode b = Json.object();
                if (id != null) b.put("endpoint_id", id);
                if (name != null) b.put("endpoint_name", name);
                Hearth.print(control(app).delete(account, b));
            }
            return 0;
        }
    }
}
