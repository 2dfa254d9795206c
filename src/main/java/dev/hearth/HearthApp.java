package dev.hearth;

import dev.hearth.accounts.AccountRoutes;
import dev.hearth.accounts.Accounts;
import dev.hearth.accounts.Administration;
import dev.hearth.accounts.Authenticator;
import dev.hearth.billing.CreditRoutes;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.Money;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.CatalogRoutes;
import dev.hearth.config.HearthConfig;
import dev.hearth.http.ApiException;
import dev.hearth.http.BaseUrl;
import dev.hearth.http.Caller;
import dev.hearth.http.HttpFront;
import dev.hearth.http.JsonBody;
import dev.hearth.jobs.AsyncRoutes;
import dev.hearth.jobs.JobEngine;
import dev.hearth.jobs.ModelCalls;
import dev.hearth.jobs.WebhookTargets;
import dev.hearth.jobs.ModelRoutes;
import dev.hearth.openai.ChatCompletionsRoute;
import dev.hearth.openai.EmbeddingsRoute;
import dev.hearth.runners.cog.CogRunnerFactory;
import dev.hearth.runners.openai.OpenAiRunnerFactory;
import dev.hearth.runners.process.WorkerProcessRunnerFactory;
import dev.hearth.runners.provider.ProviderRunnerFactory;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.embedding.OnnxEmbeddingRunnerFactory;
import dev.hearth.runtime.ModelPool;
import dev.hearth.store.Database;
import dev.hearth.usage.UsageRecorder;
import io.helidon.webserver.WebServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
    private ModelPool pool;
    private JobEngine engine;
    private UsageRecorder usage;
    private WebServer server;
    private ScheduledExecutorService sweeper;

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
        Map<String, RunnerFactory> runners = new java.util.HashMap<>(builtInRunners());
        remoteRunners(env).forEach(f -> runners.put(f.type(), f));
        runners.putAll(extraRunners);
        this.runnerFactories = Map.copyOf(runners);
        this.db = Database.open(config);
        this.ledger = new Ledger(db, clock);
        this.accounts = new Accounts(db, ledger, clock);
        this.administration = new Administration(accounts, ledger, plans(config), Money.fromUsd(config.billing().freeCredits()));
        this.catalog = Catalog.load(config.catalog().dir(), env);
    }

    private static Set<String> plans(HearthConfig config) {
        Set<String> names = new HashSet<>();
        config.section("plans").fieldNames().forEachRemaining(names::add);
        if (names.isEmpty()) throw new IllegalArgumentException("no plans configured");
        return names;
    }

    /** The runners that run models inside this JVM (what {@code hearth worker} can serve). */
    public static Map<String, RunnerFactory> builtInRunners() {
        RunnerFactory embeddings = new OnnxEmbeddingRunnerFactory();
        return Map.of(embeddings.type(), embeddings);
    }

    /** Runners that drive models running elsewhere: Cog servers, local worker processes, OpenAI-compatible servers, providers. */
    static java.util.List<RunnerFactory> remoteRunners(java.util.function.Function<String, String> env) {
        return java.util.List.of(new CogRunnerFactory(), new WorkerProcessRunnerFactory(), new OpenAiRunnerFactory(env),
                new ProviderRunnerFactory(env));
    }

    /** Starts the HTTP server; returns the port it listens on. */
    public int serve() {
        String adminHash = Authenticator.bootstrapAdminKey(db, config.admin().key());
        pool = new ModelPool(catalog, runnerFactories);
        usage = new UsageRecorder(db);
        engine = JobEngine.open(db, ledger, pool, usage, catalog, clock, config);
        // before the hold sweeper runs: v2 jobs left by the last stop keep their holds and run again
        engine.recover();
        Caller caller = new Caller(new Authenticator(accounts, adminHash));
        JsonBody body = new JsonBody(config.server().maxBodyBytes());
        BaseUrl base = new BaseUrl(config.server().publicUrl());
        ModelCalls calls = new ModelCalls(catalog, ledger, engine, clock, config.jobs());
        WebhookTargets webhookTargets = url -> {
            throw ApiException.invalid("X-Webhook-Url is not available on this Hearth yet");
        };

        server = HttpFront.build(config.server(), db,
                new AccountRoutes(caller, accounts, administration, body),
                new CreditRoutes(caller, ledger),
                new CatalogRoutes(caller, catalog, pool),
                new EmbeddingsRoute(caller, calls, body),
                new ChatCompletionsRoute(caller, calls, catalog, body),
                new AsyncRoutes(caller, calls, engine, body, base, clock, webhookTargets),
                // the generic model route comes last: it matches any /v1/{slug}
                new ModelRoutes(caller, calls, body));
        server.start();
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("hearth-sweeper").unstarted(r));
        sweeper.scheduleWithFixedDelay(this::sweep, 0, 1, TimeUnit.MINUTES);
        return server.port();
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

    public JobEngine engine() {
        return engine;
    }

    public UsageRecorder usage() {
        return usage;
    }

    public ModelPool pool() {
        return pool;
    }

    @Override
    public void close() {
        // graceful: stop taking jobs, let running ones finish (up to jobs.drain_timeout), then stop serving
        if (engine != null) engine.drain();
        if (server != null) server.stop();
        if (sweeper != null) sweeper.shutdownNow();
        if (usage != null) usage.close();
        if (pool != null) pool.close();
        db.close();
    }
}
