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
import dev.hearth.http.Caller;
import dev.hearth.http.HttpFront;
import dev.hearth.http.JsonBody;
import dev.hearth.http.PublicBase;
import dev.hearth.jobs.ModelCalls;
import dev.hearth.jobs.ModelRoutes;
import dev.hearth.net.GuardedHttp;
import dev.hearth.net.HostResolver;
import dev.hearth.net.NetSettings;
import dev.hearth.openai.EmbeddingsRoute;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.embedding.OnnxEmbeddingRunnerFactory;
import dev.hearth.runtime.ModelPool;
import dev.hearth.storage.LocalBlobStore;
import dev.hearth.storage.MediaInputs;
import dev.hearth.storage.Storage;
import dev.hearth.storage.StorageSettings;
import dev.hearth.storage.StorageRoutes;
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
    /** Uploads and model outputs (SPEC §8); {@code storage.saveOutput} keeps a v2 output and gives its URL. */
    public final Storage storage;
    /** Outbound HTTP through the address guard: media URLs, and webhook deliveries. */
    public final GuardedHttp outbound;
    /** Resolves a model's media inputs after schema validation (see docs/api.md, "Media inputs"). */
    public final MediaInputs mediaInputs;
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
        Map<String, RunnerFactory> runners = new java.util.HashMap<>(builtInRunners());
        runners.putAll(extraRunners);
        this.runnerFactories = Map.copyOf(runners);
        this.db = Database.open(config);
        this.ledger = new Ledger(db, clock);
        this.accounts = new Accounts(db, ledger, clock);
        this.administration = new Administration(accounts, ledger, plans(config), Money.fromUsd(config.billing().freeCredits()));
        this.catalog = Catalog.load(config.catalog().dir());
        this.storage = new Storage(db, new LocalBlobStore(config.dataPath().resolve("blobs")),
                StorageSettings.from(config.section("storage")), clock);
        this.outbound = NetSettings.from(config.section("net")).http(HostResolver.SYSTEM);
        this.mediaInputs = new MediaInputs(storage, outbound);
    }

    private static Set<String> plans(HearthConfig config) {
        Set<String> names = new HashSet<>();
        config.section("plans").fieldNames().forEachRemaining(names::add);
        if (names.isEmpty()) throw new IllegalArgumentException("no plans configured");
        return names;
    }

    static Map<String, RunnerFactory> builtInRunners() {
        RunnerFactory embeddings = new OnnxEmbeddingRunnerFactory();
        return Map.of(embeddings.type(), embeddings);
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
                new StorageRoutes(caller, storage, new JsonBody(storage.settings().uploadBodyBytes(config.server().maxBodyBytes())),
                        req -> PublicBase.of(req, config.server().publicUrl())),
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
