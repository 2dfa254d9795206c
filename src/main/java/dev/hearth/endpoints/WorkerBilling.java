package dev.hearth.endpoints;

import dev.hearth.billing.CreditHold;
import dev.hearth.billing.InsufficientCredits;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.Money;
import dev.hearth.usage.DailyCharges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Charges an endpoint's worker up-time through the ledger (SPEC §9), tick by tick. Each settlement posts the
 * worker-milliseconds metered since the last one at the hardware class's hourly rate, against the hold taken
 * at the previous tick, then holds the next tick for the workers up now (twice the tick, so a late tick is
 * still covered). The charge, the endpoint's billing totals and the endpoint's row in the daily usage commit
 * in one transaction. Each tick's hold has its own reference and the ledger charges a reference once, so a
 * crash or a restart never charges twice; a hold left by a crash expires and is released by the sweeper.
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
                    if (h != null) ledger.release(h);
                    h = holdUpTo(e, cost);
                }
                if (h != null) {
                    long charge = Math.min(cost, h.amount());
                    ledger.post(h, charge, "endpoint " + e.name() + ": " + millis + " worker-ms on " + e.gpuId(), (tx, s) -> {
                        EndpointStore.addBilled(tx, e.id(), millis, s.charged());
                        DailyCharges.add(tx, e.accountId(), now, e.name(), s.charged());
                    });
                    if (charge < cost) log.warn("endpoint {}: {} of worker time could not be paid", e.name(), Money.format(cost - charge));
                } else if (cost > 0) {
                    log.warn("endpoint {}: {} of worker time could not be paid", e.name(), Money.format(cost));
                }
                // time the account could not pay is written off: it is suspended and its workers stop
                b.billedMillis = metered;
            }
            int up = pool.workersUp();
            if (!holdNext || up == 0) {
                if (b.hold != null) ledger.release(b.hold);
                b.hold = null;
                return true;
            }
            long next = HardwareRates.cost(2 * tickMillis * up, rate);
            if (b.hold != null && b.hold.amount() >= next) return true;
            if (b.hold != null) ledger.release(b.hold);
            b.hold = null;
            try {
                b.hold = ledger.hold(e.accountId(), reference(e), next, holdTtl());
                return true;
            } catch (InsufficientCredits ex) {
                log.warn("endpoint {}: the account cannot pay the next {} s of {} workers ({} available, {} needed)", e.name(),
                        tickMillis / 1000, up, Money.format(ex.available()), Money.format(next));
                return false;
            }
        }
    }

    private CreditHold holdUpTo(Endpoint e, long cost) {
        if (cost <= 0) return null;
        try {
            return ledger.hold(e.accountId(), reference(e), cost, holdTtl());
        } catch (InsufficientCredits ex) {
            if (ex.available() <= 0) return null;
            try {
                return ledger.hold(e.accountId(), reference(e), Math.min(ex.available(), cost), holdTtl());
            } catch (InsufficientCredits again) {
                return null;
            }
        }
    }

    /** A new reference per tick: the ledger charges each reference at most once. */
    private static String reference(Endpoint e) {
        return "endpoint:" + e.id() + ":" + UUID.randomUUID();
    }

    /** Long enough that a live endpoint's hold is never swept, short enough that a crashed one's comes back soon. */
    private long holdTtl() {
        return 3 * tickMillis + 10 * 60_000L;
    }
}
