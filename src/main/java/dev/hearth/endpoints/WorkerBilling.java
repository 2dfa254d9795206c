package dev.hearth.endpoints;

import dev.hearth.billing.CreditHold;
import dev.hearth.billing.InsufficientCredits;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.HardwareRates;
import dev.hearth.billing.Money;
import dev.hearth.usage.DailyCharges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Charges an endpoint's worker up-time through the ledger (SPEC §9), tick by tick. Each settlement posts the
 * worker-milliseconds metered since the last one at the hardware class's hourly rate, against the hold taken
 * at the previous tick, then holds the next tick for the workers up now (twice the tick, so a late tick is
 * still covered). The charge, the endpoint's billing totals and the endpoint's row in the daily usage commit
 * in one transaction. Each tick charges under its own request id, the endpoint and the tick's time
 * ({@link #reference}), and the ledger charges a request id once, so settling a tick again never charges twice; a hold left by a crash expires and is released by the sweeper.
 * When the account cannot pay the next tick, {@link #settle} says so and the endpoint is suspended.
 */
final class WorkerBilling {

    private static final Logger log = LoggerFactory.getLogger(WorkerBilling.class);

    /** What one pool has been billed; guarded by its own monitor. */
    static final class Account {
        CreditHold hold;
        long billedMillis;
        long lastSettledAt;
    }

    private final Ledger ledger;
    private final HardwareRates rates;
    private final long tickMillis;

    WorkerBilling(Ledger ledger, HardwareRates rates, long tickMillis) {
        this.ledger = ledger;
        this.rates = rates;
        this.tickMillis = tickMillis;
    }

    long tickMillis() {
        return tickMillis;
    }

    boolean due(EndpointPool pool, long now) {
        synchronized (pool.billing) {
            return now - pool.billing.lastSettledAt >= tickMillis;
        }
    }

    /**
     * Charges the worker time since the last settlement and, when {@code holdNext}, holds the next tick for the
     * workers up now. Returns false when that hold was refused: the account cannot pay for its workers.
     */
    boolean settle(EndpointPool pool, long now, boolean holdNext) {
        Account b = pool.billing;
        Endpoint e = pool.endpoint();
        long rate = rates.rate(e.gpuId());
        String tick = reference(e, now);
        synchronized (b) {
            b.lastSettledAt = now;
            long metered = pool.meteredMillis(now);
            long millis = metered - b.billedMillis;
            if (millis > 0) {
                long cost = HardwareRates.cost(metered, rate) - HardwareRates.cost(b.billedMillis, rate);
                CreditHold h = b.hold;
                b.hold = null;
                if (h == null || h.amount() < cost) {
                    // no hold open (first tick, after a suspension) or a tick far late: one that covers the cost, as far as the balance goes
                    if (h != null) ledger.voidHold(h);
                    h = holdUpTo(e, tick, cost);
                }
                long charged = 0;
                if (h != null) {
                    charged = ledger.settle(h, tick, cost, "endpoint " + e.name() + ": " + millis + " worker-ms on " + e.gpuId(), (tx, s) -> {
                        EndpointStore.addBilled(tx, e.id(), millis, s.charged());
                        DailyCharges.add(tx, e.accountId(), now, e.name(), s.charged());
                    }).charged();
                }
                // time the account could not pay is written off: it is suspended and its workers stop
                if (charged < cost) log.warn("endpoint {}: {} of worker time could not be paid", e.name(), Money.format(cost - charged));
                b.billedMillis = metered;
            }
            int up = pool.workersUp();
            if (!holdNext || up == 0) {
                if (b.hold != null) ledger.voidHold(b.hold);
                b.hold = null;
                return true;
            }
            long next = HardwareRates.cost(2 * tickMillis * up, rate);
            if (b.hold != null && b.hold.amount() >= next) return true;
            if (b.hold != null) ledger.voidHold(b.hold);
            b.hold = null;
            try {
                b.hold = ledger.hold(e.accountId(), tick, next, holdTtl());
                return true;
            } catch (InsufficientCredits ex) {
                log.warn("endpoint {}: the account cannot pay the next {} s of {} workers ({} available, {} needed)", e.name(),
                        tickMillis / 1000, up, Money.format(ex.available()), Money.format(next));
                return false;
            }
        }
    }

    private CreditHold holdUpTo(Endpoint e, String tick, long cost) {
        if (cost <= 0) return null;
        try {
            return ledger.hold(e.accountId(), tick, cost, holdTtl());
        } catch (InsufficientCredits ex) {
            if (ex.available() <= 0) return null;
            try {
                return ledger.hold(e.accountId(), tick, Math.min(ex.available(), cost), holdTtl());
            } catch (InsufficientCredits again) {
                return null;
            }
        }
    }

    /**
     * The request id a tick charges under: the endpoint and the tick's time. The ledger charges a request id at
     * most once, so settling the same tick twice (a retry after a failed commit) cannot charge twice, while
     * every later tick, in this process or after a restart, has its own.
     */
    static String reference(Endpoint e, long tickAt) {
        return "endpoint:" + e.id() + ":" + tickAt;
    }

    /** Long enough that a live endpoint's hold is never swept, short enough that a crashed one's comes back soon. */
    private long holdTtl() {
        return 3 * tickMillis + 10 * 60_000L;
    }
}
