package dev.hearth.endpoints;

import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live side of dedicated endpoints in a serving Hearth: one {@link EndpointPool} per stored endpoint, kept
 * in step with the {@code endpoints} table (changes made over HTTP apply at once, changes made with the CLI
 * within a couple of seconds), and one ticker thread that scales every pool and settles its billing.
 */
final class EndpointPools implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EndpointPools.class);
    private static final long TICK_MILLIS = 100;
    private static final long RECONCILE_MILLIS = 2_000;
    private static final long STOP_WAIT_MILLIS = 30_000;
    static final String SUSPENDED_WHY = "the account could not pay for the next billing tick of its workers; add credits, then update the endpoint to resume it";
    static final String ACCOUNT_SUSPENDED_WHY = "the account is suspended by the operator; its workers are stopped and not billed until the "
            + "suspension is lifted";

    private final EndpointStore store;
    private final Catalog catalog;
    private final WorkerBackend backend;
    private final WorkerBilling billing;
    private final Clock clock;
    private final Map<String, EndpointPool> pools = new ConcurrentHashMap<>();
    /** The pools by account and name, for the call pipeline's lookup on every model call; rebuilt by {@link #reconcile}. */
    private volatile Map<String, EndpointPool> byName = Map.of();
    private final Map<String, String> savedStatus = new ConcurrentHashMap<>();
    private final Thread ticker;
    private volatile boolean closed;

    EndpointPools(EndpointStore store, Catalog catalog, WorkerBackend backend, WorkerBilling billing, Clock clock) {
        this.store = store;
        this.catalog = catalog;
        this.backend = backend;
        this.billing = billing;
        this.clock = clock;
        reconcile();
        this.ticker = Thread.ofPlatform().daemon().name("hearth-endpoints").start(this::tick);
    }

    EndpointPool pool(String endpointId) {
        return pools.get(endpointId);
    }

    /** The account's endpoint pool called {@code name}, or null: one map read, since every model call asks. */
    EndpointPool byName(String accountId, String name) {
        return byName.get(nameKey(accountId, name));
    }

    private static String nameKey(String accountId, String name) {
        return accountId + '\n' + name;
    }

    /** Brings the pools in line with the table: new endpoints get a pool, changed ones are reconfigured, deleted ones closed. */
    synchronized void reconcile() {
        if (closed) return;
        List<Endpoint> rows = store.live();
        Set<String> suspendedAccounts = store.suspendedAccounts();
        Set<String> seen = new HashSet<>();
        for (Endpoint e : rows) {
            seen.add(e.id());
            EndpointPool p = pools.get(e.id());
            if (p != null) p.accountSuspended(suspendedAccounts.contains(e.accountId()));
            if (p != null && p.endpoint().updatedAt() == e.updatedAt()) continue;
            if (p != null && !e.needsNewWorkers(p.endpoint())) {
                p.reconfigure(e);
                continue;
            }
            if (p != null) closePool(p, true); // another model or hardware class: new workers, billed at the new rate
            ModelSpec model = catalog.find(e.modelName());
            if (model == null || model.retired() || !model.enabled()) {
                store.status(e.id(), "failed", "model '" + e.modelName() + "' is not available in this Hearth's catalog");
                continue;
            }
            EndpointPool fresh = new EndpointPool(e, model, backend, clock);
            fresh.accountSuspended(suspendedAccounts.contains(e.accountId())); // before the ticker can boot its minimum
            pools.put(e.id(), fresh);
        }
        for (EndpointPool p : List.copyOf(pools.values())) {
            if (!seen.contains(p.endpoint().id())) closePool(p, true);
        }
        Map<String, EndpointPool> index = new HashMap<>();
        for (EndpointPool p : pools.values()) index.put(nameKey(p.endpoint().accountId(), p.endpoint().name()), p);
        byName = Map.copyOf(index);
    }

    private void closePool(EndpointPool p, boolean deleted) {
        pools.remove(p.endpoint().id());
        savedStatus.remove(p.endpoint().id());
        p.close(STOP_WAIT_MILLIS, deleted);
        billing.settle(p, clock.millis(), false);
        log.info("endpoint {} ({}) closed; {} worker-ms billed in total this run", p.endpoint().name(), p.endpoint().id(),
                p.billing.billedMillis);
    }

    private void tick() {
        long lastReconcile = clock.millis();
        while (!closed) {
            try {
                Thread.sleep(TICK_MILLIS);
                if (clock.millis() - lastReconcile >= RECONCILE_MILLIS) {
                    reconcile();
                    lastReconcile = clock.millis();
                }
                for (EndpointPool p : pools.values()) step(p);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                log.error("endpoint scaling or billing failed", e);
            }
        }
    }

    private void step(EndpointPool p) {
        int added = p.scale();
        long now = clock.millis();
        if (p.suspended() || p.accountSuspended()) {
            // no hold for the next tick: the time up to the stop is charged, and nothing after it
            if (billing.due(p, now) || p.drained()) billing.settle(p, now, false);
        } else if (added > 0 || billing.due(p, now)) {
            if (!billing.settle(p, now, true)) suspend(p);
        }
        String status = p.status();
        if (!status.equals(savedStatus.get(p.endpoint().id()))) {
            savedStatus.put(p.endpoint().id(), status);
            store.status(p.endpoint().id(), status, p.suspended() ? SUSPENDED_WHY : p.accountSuspended() ? ACCOUNT_SUSPENDED_WHY : p.failure());
        }
    }

    private void suspend(EndpointPool p) {
        log.warn("endpoint {} suspended: the account cannot pay for its workers", p.endpoint().name());
        store.suspend(p.endpoint().id(), SUSPENDED_WHY, clock.millis());
        p.suspend();
        billing.settle(p, clock.millis(), false);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            byName = Map.of();
        }
        ticker.interrupt();
        try {
            ticker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (EndpointPool p : List.copyOf(pools.values())) {
            try {
                closePool(p, false);
            } catch (Exception e) {
                log.warn("closing endpoint {} failed: {}", p.endpoint().name(), e.toString());
            }
        }
    }
}
