package dev.hearth;

import dev.hearth.accounts.Account;
import dev.hearth.accounts.AccountRoutes;
import dev.hearth.artifacts.ArtifactCache;
import dev.hearth.artifacts.ResolvingRunnerFactory;
import dev.hearth.accounts.Accounts;
import dev.hearth.accounts.Administration;
import dev.hearth.accounts.Authenticator;
import dev.hearth.accounts.KeyUse;
import dev.hearth.billing.CreditRoutes;
import dev.hearth.endpoints.CatalogWorkers;
import dev.hearth.endpoints.EndpointRoutes;
import dev.hearth.endpoints.Endpoints;
import dev.hearth.endpoints.WorkerBackend;
import dev.hearth.endpoints.WorkerBackends;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.LedgerCommits;
import dev.hearth.billing.Money;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.CatalogRoutes;
import dev.hearth.catalog.ModelListRoute;
import dev.hearth.config.HearthConfig;
import dev.hearth.http.ApiException;
import dev.hearth.http.BaseUrl;
import dev.hearth.http.AccessLog;
import dev.hearth.http.Caller;
import dev.hearth.http.HttpFront;
import dev.hearth.http.ConnectionDeadlines;
import dev.hearth.http.JsonBody;
import dev.hearth.http.ListenAddress;
import dev.hearth.jobs.AsyncRoutes;
import dev.hearth.jobs.JobEngine;
import dev.hearth.jobs.JobLeases;
import dev.hearth.store.NodeLeases;
import dev.hearth.workflows.RunLeases;
import dev.hearth.jobs.ModelCalls;
import dev.hearth.jobs.ModelResolver;
import dev.hearth.jobs.WebhookTargets;
import dev.hearth.limits.LimitRoutes;
import dev.hearth.limits.LimitSettings;
import dev.hearth.limits.Limits;
import dev.hearth.limits.Plans;
import dev.hearth.jobs.ModelRoutes;
import dev.hearth.logging.LogFormat;
import dev.hearth.metrics.HearthMetrics;
import dev.hearth.metrics.LedgerTotals;
import dev.hearth.metrics.MetricsRoute;
import dev.hearth.net.GuardedHttp;
import dev.hearth.net.HostResolver;
import dev.hearth.net.NetSettings;
import dev.hearth.openai.ChatCompletionsRoute;
import dev.hearth.openai.EmbeddingsRoute;
import dev.hearth.runners.cog.CogRunnerFactory;
import dev.hearth.runners.openai.OpenAiRunnerFactory;
import dev.hearth.runners.process.WorkerProcessRunnerFactory;
import dev.hearth.runners.provider.ProviderRunnerFactory;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.embedding.OnnxEmbeddingRunnerFactory;
import dev.hearth.runners.esrgan.EsrganRunnerFactory;
import dev.hearth.runners.ocr.OcrRunnerFactory;
import dev.hearth.runners.speech.SpeechRunnerFactory;
import dev.hearth.runners.speech.TranscriptionRunnerFactory;
import dev.hearth.runners.vision.BackgroundRemovalRunnerFactory;
import dev.hearth.runners.vision.FaceDetectionRunnerFactory;
import dev.hearth.runners.vision.ObjectDetectionRunnerFactory;
import dev.hearth.runtime.ModelPool;
import dev.hearth.runtime.ModelState;
import dev.hearth.storage.BlobStore;
import dev.hearth.storage.BucketConfig;
import dev.hearth.storage.MediaInputs;
import dev.hearth.storage.Storage;
import dev.hearth.storage.StorageSettings;
import dev.hearth.storage.StorageRoutes;
import dev.hearth.store.Database;
import dev.hearth.usage.GenerationRoutes;
import dev.hearth.usage.Generations;
import dev.hearth.usage.UsageRecorder;
import dev.hearth.usage.UsageReports;
import dev.hearth.usage.UsageRetention;
import dev.hearth.usage.UsageRoutes;
import dev.hearth.usage.UsageSettings;
import io.micrometer.core.instrument.Tags;
import io.helidon.webserver.WebServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.Json;
import dev.hearth.jobs.MediaResolver;
import dev.hearth.jobs.RequestViews;
import dev.hearth.net.FetchRefused;
import dev.hearth.runners.MediaBlob;
import dev.hearth.storage.ResolvedMedia;
import dev.hearth.webhooks.WebhookDispatcher;
import dev.hearth.webhooks.WebhookRoutes;
import dev.hearth.webhooks.WebhookSecrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import dev.hearth.workflows.GraphValidator;
import dev.hearth.workflows.OperationBounds;
import dev.hearth.workflows.Templates;
import dev.hearth.workflows.WebhookRegistry;
import dev.hearth.workflows.WebhookRegistryRoutes;
import dev.hearth.workflows.WorkflowEngine;
import dev.hearth.workflows.WorkflowRoutes;
import dev.hearth.workflows.WorkflowStore;
import dev.hearth.workflows.Workflows;
import dev.hearth.workflows.NodeModels;
import dev.hearth.workflows.operations.Operations;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The composition root: builds every part of Hearth from the configuration, in plain code. {@code serve}
 * adds the HTTP server on top; the admin CLI uses the same parts without it.
 */
public final class HearthApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HearthApp.class);

    public final HearthConfig config;
    public final Clock clock = Clock.systemUTC();
    public final Database db;
    public final Ledger ledger;
    public final Accounts accounts;
    public final Administration administration;
    public final Catalog catalog;
    public final LimitSettings limitSettings;
    private Limits limits;
    /** Uploads and model outputs (SPEC §8); {@code storage.saveOutput} keeps a v2 output and gives its URL. */
    public final Storage storage;
    /** Outbound HTTP through the address guard: media URLs, and webhook deliveries. */
    public final GuardedHttp outbound;
    /** Resolves a model's media inputs after schema validation (see docs/api.md, "Media inputs"). */
    public final MediaInputs mediaInputs;
    private ModelPool pool;
    private JobEngine engine;
    private NodeLeases nodeLeases;
    private WebhookDispatcher webhooks;
    private WorkflowEngine workflowEngine;
    public final WebhookSecrets webhookSecrets;
    private UsageRecorder usage;
    private UsageRetention usageRetention;
    private KeyUse keyUse;
    private ConnectionDeadlines connectionDeadlines;
    private HearthMetrics metrics;
    private WebServer server;
    private ScheduledExecutorService sweeper;
    private Endpoints endpoints;
    /** Catalog models whose workers are Kubernetes pods ({@code scaling.backend: kubernetes}); null until {@link #serve()}. */
    private CatalogWorkers catalogWorkers;

    private final Map<String, RunnerFactory> runnerFactories;

    public HearthApp(HearthConfig config) {
        this(config, Map.of());
    }

    /** With runner types beyond the built-in ones (a test's own runner). */
    public HearthApp(HearthConfig config, Map<String, RunnerFactory> extraRunners) {
        this(config, extraRunners, System::getenv);
    }

    /**
     * {@code env} answers the variables that catalog entries name for API keys and base URLs
     * ({@code api_key_env}, {@code base_url_env}): the process environment, or a test's own.
     */
    public HearthApp(HearthConfig config, Map<String, RunnerFactory> extraRunners, java.util.function.Function<String, String> env) {
        this.config = config;
        LogFormat.apply(config.logging().format());
        Map<String, RunnerFactory> runners = new java.util.HashMap<>(builtInRunners(config));
        remoteRunners(env).forEach(f -> runners.put(f.type(), f));
        runners.putAll(extraRunners);
        this.runnerFactories = Map.copyOf(runners);
        this.db = Database.open(config);
        this.ledger = new Ledger(db, clock, LedgerCommits.of(config.billing().ledgerCommit(), db.jdbi()));
        this.accounts = new Accounts(db, ledger, clock, config.section("accounts").path("max_keys_per_account").asInt(50));
        this.limitSettings = new LimitSettings(db, Plans.fromConfig(config), clock);
        this.administration = new Administration(accounts, ledger, limitSettings.plans().names(), Money.fromUsd(config.billing().freeCredits()));
        this.catalog = Catalog.load(config.catalog().dir(), env);
        this.storage = new Storage(db, BlobStore.from(BucketConfig.from(config.section("storage").path("s3")), config.dataPath()),
                StorageSettings.from(config.section("storage")), clock);
        this.outbound = NetSettings.from(config.section("net")).http(HostResolver.SYSTEM);
        this.mediaInputs = new MediaInputs(storage, outbound);
        this.webhookSecrets = new WebhookSecrets(db, clock);
    }

    /**
     * The runner types this Hearth runs in-process. Each is fronted by the artifact cache, so catalog parameters
     * naming weights by source (maven:, npm:, deb:, https:, file:) reach the runner as local files, fetched and verified
     * on the first boot.
     */
    public static Map<String, RunnerFactory> builtInRunners(HearthConfig config) {
        ArtifactCache artifacts = ArtifactCache.fromConfig(config);
        Map<String, RunnerFactory> runners = new java.util.HashMap<>();
        for (RunnerFactory f : List.of(new OnnxEmbeddingRunnerFactory(), new EsrganRunnerFactory(), new OcrRunnerFactory(),
                new SpeechRunnerFactory(), new FaceDetectionRunnerFactory(),
                new BackgroundRemovalRunnerFactory(), new ObjectDetectionRunnerFactory(), new TranscriptionRunnerFactory())) {
            runners.put(f.type(), new ResolvingRunnerFactory(f, artifacts));
        }
        return Map.copyOf(runners);
    }

    /** Runners that drive models running elsewhere: Cog servers, local worker processes, OpenAI-compatible servers, providers. */
    static java.util.List<RunnerFactory> remoteRunners(java.util.function.Function<String, String> env) {
        return java.util.List.of(new CogRunnerFactory(), new WorkerProcessRunnerFactory(), new OpenAiRunnerFactory(env),
                new ProviderRunnerFactory(env));
    }

    /** Starts the HTTP server; returns the port it listens on. */
    public int serve() {
        // before anything starts: a second Hearth on the same port (and data folder) must stop here, not recover jobs
        ListenAddress.requireFree(config.server().host(), config.server().port());
        String adminHash = Authenticator.bootstrapAdminKey(db, config.admin().key());
        limits = Limits.start(config, limitSettings);
        catalogWorkers = CatalogWorkers.start(catalog, config, builtInRunners(config).keySet(), clock);
        pool = new ModelPool(catalog, runnerFactories, clock, catalogWorkers.lanes());
        usage = new UsageRecorder(db);
        endpoints = Endpoints.serve(db, ledger, catalog, config, endpointWorkers(), clock);
        // one resolver for every surface that names a model: the caller's own endpoint first, then the catalog
        ModelResolver models = new ModelResolver(catalog, pool, endpoints);
        engine = JobEngine.open(db, ledger, pool, usage, models, clock, config);
        usageRetention = new UsageRetention(db, clock, UsageSettings.from(config));
        usageRetention.start();
        metrics = observe(pool, usage);
        keyUse = new KeyUse(db, clock, java.time.Duration.ofSeconds(config.section("accounts").path("key_use_write_seconds").asLong(30)));
        Caller caller = new Caller(new Authenticator(accounts, adminHash, keyUse));
        JsonBody body = new JsonBody(config.server().maxBodyBytes(), storage.settings().maxItemBytes());
        BaseUrl base = new BaseUrl(config.server().publicUrl());
        MediaResolver media = new MediaResolver() {
            @Override
            public Map<String, MediaBlob> resolve(ModelSpec model, ObjectNode params, String base) {
                return mediaInputs.resolve(model, params, base).media();
            }

            @Override
            public ObjectNode redact(ModelSpec model, ObjectNode params, Map<String, MediaBlob> inputs) {
                return inputs.isEmpty() ? params : new ResolvedMedia(params, inputs).redactedParams();
            }
        };
        engine.useMediaResolver(media);
        engine.useOutputStore((account, bytes, type) -> storage.saveOutput(account, bytes, type).path());
        webhooks = new WebhookDispatcher(db, webhookSecrets, this::postWebhook, clock,
                config.section("webhooks").path("first_retry_ms").asLong(5000), config.section("webhooks").path("retry_window").asLong(3600) * 1000);
        engine.onFinished(r -> {
            if (r.webhookUrl() != null) webhooks.enqueue(r.accountId(), r.id(), r.webhookUrl(), Json.text(RequestViews.result(r)));
        });
        ModelCalls calls = new ModelCalls(models, ledger, limits, engine, media, clock, config.jobs());
        calls.observe((model, status, queue, processing, total) -> metrics.recordCall(model, status,
                java.time.Duration.ofMillis(queue), java.time.Duration.ofMillis(processing), java.time.Duration.ofMillis(total)));
        WebhookTargets webhookTargets = url -> checkWebhookUrl(url, "X-Webhook-Url");
        // once media inputs, outputs, webhooks and metrics are wired, and before the hold sweeper runs:
        // v2 jobs left by the last stop keep their holds and run again
        engine.recover();

        // PixelFlow workflows (SPEC §10): model nodes go through the same ModelCalls as every other call
        Operations operations = Operations.builtIn();
        WorkflowStore workflowStore = new WorkflowStore(db, config.jobs().leaseSeconds() * 1000L);
        // a model node may name its owner's dedicated endpoint, resolved before the catalog as the pipeline does
        NodeModels nodeModels = models::find;
        OperationBounds operationBounds = OperationBounds.from(config.section("workflows"));
        Workflows workflows = new Workflows(workflowStore, new GraphValidator(nodeModels, name -> operations.find(name).orElse(null), operationBounds), clock);
        workflowEngine = new WorkflowEngine(workflowStore, catalog, nodeModels, name -> operations.find(name).orElse(null), calls, ledger,
                limits, storage, mediaInputs, clock, config.jobs().nodeId());
        WebhookRegistry webhookRegistry = new WebhookRegistry(db, webhooks, url -> checkWebhookUrl(url, "$.webhook_url"), clock);
        workflowEngine.useEvents(webhookRegistry);
        workflowEngine.boundOperations(operationBounds);
        // GENERATION webhooks: every call that ended, queued with its usage record
        usage.onWritten(webhookRegistry::generationsEnded);
        workflowEngine.refuseSuspended(account -> accounts.find(account).map(Account::suspended).orElse(true));
        Templates.install(db.jdbi(), workflows, workflowStore, limitSettings.plans().names().contains("free") ? "free"
                : limitSettings.plans().names().iterator().next(), clock);
        workflowEngine.recover(run -> workflows.graph(run.workflowId(), run.version()));
        // in a cluster, the work of nodes that died: this node renews its leases and takes over lapsed ones
        nodeLeases = new NodeLeases(List.of(new JobLeases(engine, config.jobs().nodeId(), config.jobs().leaseSeconds() * 1000L / 3),
                new RunLeases(workflowEngine, workflowStore, config.jobs().nodeId(), run -> workflows.graph(run.workflowId(), run.version()))),
                config.jobs().leaseSeconds(), clock);
        nodeLeases.start();

        connectionDeadlines = new ConnectionDeadlines(ConnectionDeadlines.Settings.from(config.section("server")));
        server = HttpFront.build(config.server(), connectionDeadlines, db, new AccessLog(metrics, config.logging().accessLog()),
                new AccountRoutes(caller, accounts, administration, body, limits),
                new LimitRoutes(caller, limitSettings, limits, body),
                new UsageRoutes(caller, new UsageReports(db), usage, ledger, accounts, clock),
                new MetricsRoute(caller, metrics, config.section("metrics").path("scrape_token").asText("")),
                new CreditRoutes(caller, ledger, limits),
                new CatalogRoutes(caller, catalog, pool, limits),
                // the routes of Segmind's Python SDK beyond the model API (SPEC §14)
                new ModelListRoute(caller, catalog, pool, limits, base, (account, b) -> accountModels(account, b, workflows)),
                new GenerationRoutes(caller, new Generations(db), usage, limits, clock, storage.settings().outputRetention()),
                new EmbeddingsRoute(caller, calls, catalog, body),
                new ChatCompletionsRoute(caller, calls, body),
                new AsyncRoutes(caller, calls, engine, body, base, clock, webhookTargets, limits, pool::status),
                new WebhookRoutes(caller, webhookSecrets),
                new WorkflowRoutes(caller, workflows, workflowEngine, workflowStore, catalog, operations.all(),
                        (model, account) -> runnerFactories.containsKey(model.runner().type()) && premiumAllowed(model, account.accountId()),
                        body, base, limits,
                        account -> endpointModels(account, nodeModels)),
                new WebhookRegistryRoutes(caller, webhookRegistry, body, limits),
                new StorageRoutes(caller, storage, new JsonBody(storage.settings().uploadBodyBytes(config.server().maxBodyBytes()),
                        storage.settings().maxItemBytes()),
                        base::of),
                new EndpointRoutes(caller, endpoints, body, limits),
                // the generic model route comes last: it matches any /v1/{slug}
                new ModelRoutes(caller, calls, body, base));
        server.start();
        ListenAddress.boundPort(server, config.server().host(), config.server().port());
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("hearth-sweeper").unstarted(r));
        sweeper.scheduleWithFixedDelay(this::sweep, 0, 1, TimeUnit.MINUTES);
        long sweepMillis = storage.settings().sweepInterval().toMillis();
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                storage.sweepExpired();
            } catch (Exception e) {
                log.warn("deleting expired outputs failed: {}", e.toString());
            }
        }, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        return server.port();
    }

    private boolean premiumAllowed(ModelSpec model, String accountId) {
        try {
            limits.checkPremium(model, accountId, ledger.balance(accountId).total());
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    /** Releases holds whose request died with an earlier process, and deletes expired request records. */
    private void sweep() {
        try {
            int released = ledger.releaseExpiredHolds();
            if (released > 0) log.info("released {} expired credit holds", released);
            engine.expireRecords();
        } catch (Exception e) {
            log.warn("sweeping holds and records failed: {}", e.toString());
        }
    }

    /** A webhook URL must pass the address guard when it is given (422 naming {@code field}), not first when it is called. */
    private void checkWebhookUrl(String url, String field) {
        try {
            outbound.checkDestination(url);
        } catch (FetchRefused e) {
            throw ApiException.invalid(field + ": " + e.getMessage());
        }
    }

    /** Webhook POSTs go through the address guard and never follow redirects. */
    private int postWebhook(String url, Map<String, String> headers, String body) throws IOException {
        try {
            return outbound.postJson(url, headers, body.getBytes(StandardCharsets.UTF_8)).status();
        } catch (FetchRefused e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public WebhookDispatcher webhooks() {
        return webhooks;
    }

    public JobEngine engine() {
        return engine;
    }

    /** Gauges read at scrape time: model states and queue depths, the usage writer's backlog, ledger totals. */
    private HearthMetrics observe(ModelPool pool, UsageRecorder usage) {
        HearthMetrics m = new HearthMetrics();
        m.watchModels(catalog.all().stream().map(s -> s.slug()).toList(),
                Arrays.stream(ModelState.values()).map(ModelState::wire).toList(),
                slug -> {
                    var st = pool.status(slug);
                    return new HearthMetrics.ModelSnapshot(st.state().wire(), st.instances(), st.busy(), st.queued());
                });
        m.gauge("hearth.usage.pending", "Usage records waiting to be written", Tags.empty(), usage, UsageRecorder::pending);
        m.gauge("hearth.usage.dropped", "Usage records given up on after repeated write failures", Tags.empty(), usage, UsageRecorder::dropped);
        new LedgerTotals(db, clock).register(m);
        return m;
    }

    public HearthMetrics metrics() {
        return metrics;
    }

    /** The models of the account's usable dedicated endpoints, under their endpoint names (the workflow editor's palette). */
    private List<ModelSpec> endpointModels(String accountId, NodeModels nodeModels) {
        List<ModelSpec> models = new java.util.ArrayList<>();
        for (String name : endpoints.names(accountId)) {
            try {
                ModelSpec m = nodeModels.find(accountId, name);
                if (m != null) models.add(m);
            } catch (ApiException suspended) {
                // a suspended endpoint takes no calls: not offered
            }
        }
        return models;
    }

    /**
     * What an account may call beyond the catalog, for the SDK's model list: its dedicated endpoints (billed per
     * worker-hour) and its published workflows (billed as the sum of their model calls).
     */
    private List<ObjectNode> accountModels(String accountId, String base, Workflows workflows) {
        List<ObjectNode> out = new java.util.ArrayList<>();
        for (var e : endpoints.list(accountId)) {
            ModelSpec m = catalog.find(e.path("model_name").asText());
            if (m == null) continue;
            ObjectNode entry = ModelListRoute.entry(e.path("endpoint_name").asText(), "endpoint", m, e.path("status").asText(),
                    ModelListRoute.schemaUrl(base, m.slug()));
            entry.set("pricing", Json.object().put("type", "per_worker_hour").set("price", e.path("hourly_rate")));
            ((ObjectNode) entry.get("pricing")).put("description", "the endpoint's hourly rate, billed per second while a worker is up");
            out.add(entry.put("endpoint_id", e.path("endpoint_id").asText()));
        }
        for (var w : workflows.list(new dev.hearth.accounts.Principal(accountId, null, false))) {
            if (!w.accountId().equals(accountId) || w.publishedVersion() == null) continue;
            ObjectNode entry = Json.object().put("slug", w.id() + "-v" + w.publishedVersion()).put("type", "workflow")
                    .put("title", w.name()).put("category", "workflow");
            entry.putObject("pricing").put("type", "per_run").putNull("price").put("description", "the sum of the run's model calls");
            entry.put("premium", false).put("status", "published").put("input_schema_url", base + "/v1/workflows/" + w.id());
            entry.put("workflow_id", w.id()).put("version", w.publishedVersion());
            entry.set("inputs", workflows.view(w, false).get("inputs"));
            out.add(entry);
        }
        return out;
    }

    /** Dedicated endpoints; null until {@link #serve()}. */
    public Endpoints endpoints() {
        return endpoints;
    }

    /** Where dedicated endpoints' workers run (endpoints.backend): the CLI checks new endpoints against it too. */
    public WorkerBackend endpointWorkers() {
        return WorkerBackends.fromConfig(config, runnerFactories, builtInRunners(config).keySet());
    }

    public UsageRecorder usage() {
        return usage;
    }

    public ModelPool pool() {
        return pool;
    }

    /** Rate, read, premium and concurrency limits; null until {@link #serve()}. */
    public Limits limits() {
        return limits;
    }

    @Override
    public void close() {
        // graceful: stop taking jobs, let running ones finish (up to jobs.drain_timeout), then stop serving
        // workflow runs start no new node; their nodes in flight finish with the jobs, the rest resume at the next start
        if (workflowEngine != null) workflowEngine.stop();
        if (nodeLeases != null) nodeLeases.stopTakingOver();
        if (engine != null) engine.drain();
        if (workflowEngine != null) workflowEngine.close();
        // what is still unfinished goes to the other nodes at once (or to this one's next start)
        if (nodeLeases != null) nodeLeases.close();
        if (endpoints != null) endpoints.close();
        if (catalogWorkers != null) catalogWorkers.close();
        if (server != null) server.stop();
        if (connectionDeadlines != null) connectionDeadlines.close();
        ledger.close();
        if (webhooks != null) webhooks.close();
        if (sweeper != null) sweeper.shutdownNow();
        if (usageRetention != null) usageRetention.close();
        if (usage != null) usage.close();
        if (keyUse != null) keyUse.close();
        if (pool != null) pool.close();
        if (limits != null) limits.close();
        if (metrics != null) metrics.close();
        db.close();
    }
}
