package dev.hearth;

import dev.hearth.accounts.AccountRoutes;
import dev.hearth.artifacts.ArtifactCache;
import dev.hearth.artifacts.ResolvingRunnerFactory;
import dev.hearth.accounts.Accounts;
import dev.hearth.accounts.Administration;
import dev.hearth.accounts.Authenticator;
import dev.hearth.billing.CreditRoutes;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.Money;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.CatalogRoutes;
import dev.hearth.config.HearthConfig;
import dev.hearth.http.Caller;
import dev.hearth.http.HttpFront;
import dev.hearth.http.JsonBody;
import dev.hearth.jobs.ModelCalls;
import dev.hearth.jobs.ModelRoutes;
import dev.hearth.openai.EmbeddingsRoute;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.embedding.OnnxEmbeddingRunnerFactory;
import dev.hearth.runners.esrgan.EsrganRunnerFactory;
import dev.hearth.runners.ocr.OcrRunnerFactory;
import dev.hearth.runtime.ModelPool;
import dev.hearth.store.Database;
import dev.hearth.usage.UsageRecorder;
import io.helidon.webserver.WebServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
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
    private UsageRecorder usage;
    private WebServer server;
    private ScheduledExecutorService sweeper;

    private final Map<String, RunnerFactory> runnerFactories;

    public HearthApp(HearthConfig config) {
        this(config, Map.of());
    }

    /** With runner types beyond the built-in ones (remote protocols, or a test's own runner). */
    public HearthApp(HearthConfig config, Map<String, RunnerFactory> extraRunners) {
        this.config = config;
        Map<String, RunnerFactory> runners = new java.util.HashMap<>(builtInRunners(config));
        runners.putAll(extraRunners);
        this.runnerFactories = Map.copyOf(runners);
        this.db = Database.open(config);
        this.ledger = new Ledger(db, clock);
        this.accounts = new Accounts(db, ledger, clock);
        this.administration = new Administration(accounts, ledger, plans(config), Money.fromUsd(config.billing().freeCredits()));
        this.catalog = Catalog.load(config.catalog().dir());
    }

    private static Set<String> plans(HearthConfig config) {
        Set<String> names = new HashSet<>();
        config.section("plans").fieldNames().forEachRemaining(names::add);
        if (names.isEmpty()) throw new IllegalArgumentException("no plans configured");
        return names;
    }

    /**
     * The runner types this Hearth runs in-process. Each is fronted by the artifact cache, so catalog parameters
     * naming weights by source (maven:, npm:, https:, file:) reach the runner as local files, fetched and verified
     * on the first boot.
     */
    static Map<String, RunnerFactory> builtInRunners(HearthConfig config) {
        ArtifactCache artifacts = ArtifactCache.fromConfig(config);
        Map<String, RunnerFactory> runners = new java.util.HashMap<>();
        for (RunnerFactory f : List.of(new OnnxEmbeddingRunnerFactory(), new EsrganRunnerFactory(), new OcrRunnerFactory())) {
            runners.put(f.type(), new ResolvingRunnerFactory(f, artifacts));
        }
        return Map.copyOf(runners);
    }

    /** Starts the HTTP server; returns the port it listens on. */
    public int serve() {
        String adminHash = Authenticator.bootstrapAdminKey(db, config.admin().key());
        int released = ledger.releaseExpiredHolds();
        if (released > 0) log.info("released {} credit holds left open by an earlier stop", released);
        pool = new ModelPool(catalog, runnerFactories);
        usage = new UsageRecorder(db);
        Caller caller = new Caller(new Authenticator(accounts, adminHash));
        JsonBody body = new JsonBody(config.server().maxBodyBytes());
        ModelCalls calls = new ModelCalls(catalog, ledger, pool, usage, clock, config.logging().storeParameters());

        server = HttpFront.build(config.server(), db,
                new AccountRoutes(caller, accounts, administration, body),
                new CreditRoutes(caller, ledger),
                new CatalogRoutes(caller, catalog, pool),
                new EmbeddingsRoute(caller, calls, body),
                // the generic model route comes last: it matches any /v1/{slug}
                new ModelRoutes(caller, calls, body));
        server.start();
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("hearth-hold-sweeper").unstarted(r));
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                ledger.releaseExpiredHolds();
            } catch (Exception e) {
                log.warn("releasing expired holds failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.MINUTES);
        return server.port();
    }

    public UsageRecorder usage() {
        return usage;
    }

    public ModelPool pool() {
        return pool;
    }

    @Override
    public void close() {
        if (server != null) server.stop();
        if (sweeper != null) sweeper.shutdownNow();
        if (usage != null) usage.close();
        if (pool != null) pool.close();
        db.close();
    }
}
