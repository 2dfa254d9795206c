package dev.hearth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.config.ConfigLoader;
import dev.hearth.config.HearthConfig;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code hearth} command: {@code serve} runs the gateway; {@code accounts}, {@code keys} and
 * {@code credits} are the operator's commands ({@code models pull} fetches weights ahead of a boot), working on the same data folder (or database) through the
 * same code as the admin HTTP API.
 */
@Command(name = "hearth", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "hearth 0.1.0",
        description = "Self-hostable serverless AI model platform (Segmind-compatible API).",
        subcommands = {Hearth.Serve.class, Hearth.Worker.class, Hearth.Migrate.class, Hearth.AccountsCmd.class, Hearth.KeysCmd.class, Hearth.CreditsCmd.class,
                Hearth.ModelsCmd.class, EndpointsCmd.class})
public final class Hearth implements Runnable {

    public static void main(String[] args) {
        carriersForNativeWaits();
        dev.hearth.logging.HelidonLogging.routeJdkLogging();
        CommandLine cli = new CommandLine(new Hearth());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String msg = e instanceof ApiException api ? "error (" + api.status() + "): " + api.getMessage() : "error: " + e.getMessage();
            cmd.getErr().println(msg);
            return 1;
        });
        int code = cli.execute(args);
        boolean server = cli.getParseResult().hasSubcommand()
                && java.util.Set.of("serve", "worker").contains(cli.getParseResult().subcommand().commandSpec().name());
        if (code != 0 || !server) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /**
     * Virtual threads run on as many carrier threads as there are cores, and a virtual thread inside native
     * code keeps its carrier. SQLite waits for its write lock inside native code (busy_timeout): on 2 cores,
     * two requests waiting for the lock held both carriers while the request that held the lock waited for a
     * carrier to commit, and every request stalled until the busy timeout (found by bench/overhead.sh). More
     * carriers than the database pool has connections means a lock holder always finds one; waiting carriers
     * sleep, so they cost no CPU. An operator's own setting is kept.
     */
    static void carriersForNativeWaits() {
        String key = "jdk.virtualThreadScheduler.parallelism";
        if (System.getProperty(key) == null) {
            System.setProperty(key, Integer.toString(Math.max(16, 2 * Runtime.getRuntime().availableProcessors())));
        }
    }

    /** Options every command shares: where the data and the configuration are. */
    static class Common {
        @Option(names = "--data", description = "Data folder: SQLite file, blobs, model cache (default ./hearth-data)")
        Path data;

        @Option(names = "--config", description = "YAML configuration file; HEARTH_* environment variables override it")
        Path config;

        HearthConfig load(Map<String, String> extra) {
            Map<String, String> overrides = new HashMap<>(extra);
            if (data != null) overrides.put("data_dir", data.toString());
            return ConfigLoader.load(config, System.getenv(), overrides);
        }
    }

    @Command(name = "serve", description = "Run the Hearth gateway, dashboard and built-in models.")
    static class Serve implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @Option(names = "--port", description = "HTTP port (default 8080)")
        Integer port;

        @Override
        public Integer call() throws Exception {
            Map<String, String> o = new HashMap<>();
            if (port != null) o.put("server.port", port.toString());
            HearthConfig cfg = common.load(o);
            HearthApp app = new HearthApp(cfg);
            int bound;
            try {
                bound = app.serve();
            } catch (RuntimeException e) {
                app.close();
                throw e;
            }
            String host = cfg.server().host().equals("0.0.0.0") ? "localhost" : cfg.server().host();
            // the node's name is the one its v2 jobs and workflow runs are leased under: an operator of several nodes
            // finds in this line which node a row in the jobs table belongs to
            System.out.println("Hearth is serving on http://" + host + ":" + bound + " (data in " + cfg.dataPath().toAbsolutePath()
                    + ", node " + cfg.jobs().nodeId() + ")");
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                app.close();
                stopped.countDown();
            }, "hearth-shutdown"));
            stopped.await();
            return 0;
        }
    }

    @Command(name = "worker", description = {
            "Serve one built-in model over Cog's HTTP protocol, for a gateway's 'cog' or 'worker-process' runner.",
            "Routes: GET /health-check, POST /predictions, PUT /predictions/{id}, POST /predictions/{id}/cancel.",
            "It has no authentication: keep it on loopback or a private network."})
    static class Worker implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "Slug of a built-in model, e.g. bge-small-en-v1.5")
        String model;

        @Option(names = "--port", defaultValue = "5000", description = "HTTP port (default 5000, as Cog; 0 picks a free one)")
        int port;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default 127.0.0.1)")
        String host;

        @Option(names = "--catalog", description = "Extra folder of model YAML files (the gateway's catalog.dir is not read)")
        Path catalog;

        @Override
        public Integer call() throws Exception {
            dev.hearth.catalog.Catalog cat = dev.hearth.catalog.Catalog.load(catalog == null ? null : catalog.toString());
            dev.hearth.catalog.ModelSpec spec = cat.find(model);
            if (spec == null) throw new IllegalArgumentException("no model '" + model + "' in the catalog");
            var factories = HearthApp.builtInRunners(ConfigLoader.load(null, System.getenv(), Map.of()));
            var factory = factories.get(spec.runner().type());
            if (factory == null) {
                throw new IllegalArgumentException("model '" + model + "' runs with runner type '" + spec.runner().type()
                        + "'; hearth worker serves built-in runners only: " + String.join(", ", factories.keySet()));
            }
            dev.hearth.worker.CogWorker worker = new dev.hearth.worker.CogWorker(spec, factory);
            int bound = worker.start(host, port);
            System.out.println("Hearth worker serving " + model + " on http://" + host + ":" + bound);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                worker.close();
                stopped.countDown();
            }, "worker-shutdown"));
            stopped.await();
            return 0;
        }
    }

    @Command(name = "migrate", description = {
            "Copy an embedded install (SQLite and files in a data folder) into the cluster stores that --config and HEARTH_* name.",
            "The target is database.url (PostgreSQL) and storage.s3 (the bucket).",
            "Every table's row count and checksum and every file's SHA-256 are verified after the copy.",
            "A target that already holds data is refused. Stop the old Hearth first."})
    static class Migrate implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @Option(names = "--from", required = true, description = "Data folder of the embedded install (holds hearth.db and blobs/)")
        Path from;

        @Override
        public Integer call() throws Exception {
            if (!java.nio.file.Files.isRegularFile(from.resolve("hearth.db"))) {
                throw new IllegalArgumentException("no embedded install in " + from + " (no hearth.db there)");
            }
            HearthConfig targetConfig = common.load(Map.of());
            var bucket = dev.hearth.storage.BucketConfig.from(targetConfig.section("storage").path("s3"));
            if (!bucket.configured()) throw new IllegalArgumentException("set storage.s3 (the bucket) in the target configuration");
            HearthConfig sourceConfig = ConfigLoader.load(null, Map.of(), Map.of("data_dir", from.toString()));
            dev.hearth.storage.BlobStore targetBlobs = dev.hearth.storage.BlobStore.from(bucket, targetConfig.dataPath());
            try (var source = dev.hearth.store.Database.open(sourceConfig); var target = dev.hearth.store.Database.open(targetConfig)) {
                var report = new dev.hearth.migrate.ClusterMigration(source, new dev.hearth.storage.LocalBlobStore(from.resolve("blobs")),
                        target, targetBlobs).run();
                print(report);
                return 0;
            } finally {
                if (targetBlobs instanceof AutoCloseable c) c.close();
            }
        }
    }

    static void print(Object json) {
        System.out.println(Json.text(json));
    }

    @Command(name = "accounts", description = "Create, list and manage accounts.",
            subcommands = {AccountsCmd.Create.class, AccountsCmd.ListCmd.class, AccountsCmd.Show.class, AccountsCmd.Plan.class,
                    AccountsCmd.Limits.class, AccountsCmd.Suspend.class, AccountsCmd.Unsuspend.class})
    static class AccountsCmd {
        @Command(name = "create", description = "Create an account; prints its id and first API key.")
        static class Create implements Callable<Integer> {
            @CommandLine.Mixin Common common = new Common();
            @Option(names = "--name", required = true) String name;
            @Option(names = "--plan", defaultValue = "free") String plan;
            @Option(names = "--free-credits", description = "USD of free credits (default: billing.free_credits)") BigDecimal free;

            public Integer call() {
                try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                    ObjectNode body = Json.object().put("name", name).put("plan", plan);
                    if (free != null) body.put("free_credits", free);
                    print(app.administration.createAccount(body));
                }
                return 0;
            }
        }

        @Command(name = "list", description = "List accounts with their balances.")
        static class ListCmd implements Callable<Integer> {
            @CommandLine.Mixin Common common = new Common();

            public Integer call() {
                try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                    print(app.administration.list());
                }
                return 0;
            }
        }

        @Command(name = "show", description = "Show one account, its balances and keys.")
        static class Show implements Callable<Integer> {
            @CommandLine.Mixin Common common = new Common();
            @Parameters(paramLabel = "ACCOUNT_ID") String id;

            public Integer call() {
                try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                    print(app.administration.describe(id));
                }
                return 0;
            }
        }

        @Command(name = "plan", description = "Move an account to another plan.")
        static class Plan implements Callable<Integer> {
            @CommandLine.Mixin Common common = new Common();
            @Parameters(index = "0", paramLabel = "ACCOUNT_ID") String id;
            @Parameters(index = "1", paramLabel = "PLAN") String plan;

            public Integer call() {
                try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                    print(app.administration.setPlan(id, Json.object().put("plan", plan)));
                }
                return 0;
            }
        }

        @Command(name = "limits", description = {"Show an account's limits, or set its own numbers in place of its plan's.",
                "Options not given keep their current value; 'plan' goes back to the plan's number.",
                "Running gateways pick a change up within limits.account_cache_seconds."})
        static class Limits implements Callable<Integer> {
            @CommandLine.Mixin Common common = new Common();
            @Parameters(paramLabel = "ACCOUNT_ID") String id;
            @Option(names = "--requests-per-minute", paramLabel = "N|plan", description = "Model calls per minute") String requestsPerMinute;
            @Option(names = "--read-requests-per-minute", paramLabel = "N|plan", description = "Reads per minute") String readRequestsPerMinute;
            @Option(names = "--concurrent-jobs", paramLabel = "N|plan", description = "Jobs queued or running at once") String concurrentJobs;
            @Option(names = "--clear", description = "Remove every override: the account follows its plan") boolean clear;

            public Integer call() {
                try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                    var current = app.limitSettings.load(id);
                    if (clear) {
                        current = app.limitSettings.setOverrides(id, dev.hearth.limits.LimitOverrides.NONE);
                    } else if (requestsPerMinute != null || readRequestsPerMinute != null || concurrentJobs != null) {
                        ObjectNode body = current.overrides().toJson();
                        change(body, "requests_per_minute", requestsPerMinute);
                        change(body, "read_requests_per_minute", readRequestsPerMinute);
                        change(body, "concurrent_jobs", concurrentJobs);
                        current = app.limitSettings.put(id, body);
                    }
                    print(current.toJson());
                }
                return 0;
            }

            private static void change(ObjectNode body, String field, String value) {
                if (value == null) return;
                if (value.equalsIgnoreCase("plan")) body.putNull(field);
                else if (value.trim().matches("\\d{1,18}")) body.put(field, Long.parseLong(value.trim()));
                else throw new IllegalArgumentException("--" + field.replace('_', '-') + " must be a whole number or 'plan', got '" + value + "'");
            }
        }

        @Command(name = "suspend", description = "Suspend an account: its calls get 403; its ledger is kept.")
        static class Suspend implements Callable<Integer> {
            @CommandLine.Mixin Common common = new Common();
            @Parameters(paramLabel = "ACCOUNT_ID") String id;

            public Integer call() {
                try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                    print(app.administration.setSuspended(id, true));
                }
                return 0;
            }
        }

        @Command(name = "unsuspend", description = "Lift a suspension.")
        static class Unsuspend implements Callable<Integer> {
            @CommandLine.Mixin Common common = new Common();
            @Parameters(paramLabel = "ACCOUNT_ID") String id;

            public Integer call() {
                try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                    print(app.administration.setSuspended(id, false));
                }
                return 0;
            }
        }
    }

    @Command(name = "keys", description = "Create and revoke API keys.", subcommands = {KeysCmd.Create.class, KeysCmd.Revoke.class})
    static class KeysCmd {
        @Command(name = "create", description = "Create a key for an account; prints it once.")
        static class Create implements Callable<Integer> {
            @CommandLine.Mixin Common common = new Common();
            @Parameters(paramLabel = "ACCOUNT_ID") String id;
            @Option(names = "--name") String name;

            public Integer call() {
                try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                    print(app.administration.createKey(id, Json.object().put("name", name)));
                }
                return 0;
            }
        }

        @Command(name = "revoke", description = "Revoke a key by its id.")
        static class Revoke implements Callable<Integer> {
            @CommandLine.Mixin Common common = new Common();
            @Parameters(paramLabel = "KEY_ID") String keyId;

            public Integer call() {
                try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                    print(app.administration.revokeKey(keyId));
                }
                return 0;
            }
        }
    }

    @Command(name = "models", description = "Manage model weights.", subcommands = {ModelsCmd.Pull.class})
    static class ModelsCmd {
        @Command(name = "pull", description = "Fetch and verify the weights of models into the artifact cache, so their first boot needs no network.")
        static class Pull implements Callable<Integer> {
            @CommandLine.Mixin Common common = new Common();
            @Parameters(paramLabel = "SLUG", arity = "0..*", description = "Models to fetch") java.util.List<String> slugs = new java.util.ArrayList<>();
            @Option(names = "--all", description = "Every model in the catalog") boolean all;

            public Integer call() throws Exception {
                HearthConfig cfg = common.load(Map.of());
                dev.hearth.catalog.Catalog catalog = dev.hearth.catalog.Catalog.load(cfg.catalog().dir());
                if (all) catalog.all().forEach(m -> slugs.add(m.slug()));
                if (slugs.isEmpty()) throw new CommandLine.ParameterException(new CommandLine(this), "name at least one model slug, or --all");
                dev.hearth.artifacts.ArtifactCache cache = dev.hearth.artifacts.ArtifactCache.fromConfig(cfg);
                System.out.println("artifact cache: " + cache.root());
                for (String slug : slugs) {
                    var model = catalog.resolve(slug);
                    var resolved = dev.hearth.artifacts.ResolvingRunnerFactory.resolve(cache, model.runner(), step -> System.out.println(slug + ": " + step));
                    model.runner().params().fields().forEachRemaining(e -> {
                        if (e.getValue().isTextual() && dev.hearth.artifacts.ArtifactSource.isSource(e.getValue().textValue())) {
                            System.out.println(slug + ": " + e.getKey() + " = " + resolved.params().get(e.getKey()).asText());
                        } else if (e.getValue().isArray()) {
                            // a list of files (speech-to-text's shared libraries): one line each
                            for (int i = 0; i < e.getValue().size(); i++) {
                                if (dev.hearth.artifacts.ArtifactSource.isSource(e.getValue().get(i).asText())) {
                                    System.out.println(slug + ": " + e.getKey() + "[" + i + "] = " + resolved.params().get(e.getKey()).get(i).asText());
                                }
                            }
                        }
                    });
                }
                return 0;
            }
        }
    }

    @Command(name = "credits", description = "Grant, recharge or correct credits (idempotent by --reference).")
    static class CreditsCmd implements Callable<Integer> {
        @CommandLine.Mixin Common common = new Common();
        @Parameters(index = "0", paramLabel = "ACCOUNT_ID") String id;
        @Parameters(index = "1", paramLabel = "AMOUNT_USD", description = "Negative for a correction") BigDecimal amount;
        @Option(names = "--kind", defaultValue = "paid", description = "paid or free") String kind;
        @Option(names = "--reference", description = "Idempotency reference (default: a new random one)") String reference;

        public Integer call() {
            try (HearthApp app = new HearthApp(common.load(Map.of()))) {
                String ref = reference != null ? reference : "cli-" + UUID.randomUUID();
                var r = app.administration.credit(id, Json.object().put("amount", amount).put("kind", kind).put("reference", ref));
                print(app.administration.creditReply(r));
            }
            return 0;
        }
    }
}
