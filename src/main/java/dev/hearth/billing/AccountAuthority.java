package dev.hearth.billing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides the holds of single calls on one account in memory, on this node, against an <em>allocation</em>: an
 * open hold the database granted this node with the same conditional update as any hold (paid + free − held must
 * cover it). A call's hold is then a share of the allocation, taken with no database write; its settlement takes
 * the charge off the allocation row and the balance in one transaction ({@link Ledger}). So the database still
 * decides every credit that leaves the pool, and gateways sharing one database never need to talk to each other.
 * <p>
 * The allocation grows on demand (about half a second of this account's recent holds, at least what the call
 * asks; exactly what it asks when the database refuses more), is renewed while used, and is given back after
 * {@link #IDLE_MILLIS} without calls, on a graceful stop, or at once when a hold on the database path or a
 * correction would otherwise be refused for want of credits. A crashed node's allocation expires and the hold
 * sweeper releases it, like any hold left by a crash.
 * <p>
 * All state is guarded by this object's monitor. Database writes made under it (top-up, give-back, renewal) go
 * through the ledger's commits and never wait for another authority, so they cannot deadlock.
 */
final class AccountAuthority {

    private static final Logger log = LoggerFactory.getLogger(AccountAuthority.class);

    /** Given back after this long without a hold. */
    static final long IDLE_MILLIS = 1_000;
    /** An allocation row's time to live; renewed while it is used (see {@link #maintain}). */
    static final long ALLOCATION_TTL_MILLIS = 30_000;
    /** The smallest top-up, in calls of the asked size: the first calls after an idle time top up less often. */
    private static final int MIN_TOP_UP_CALLS = 16;

    /** The database's part: what the ledger does in a transaction for an authority. */
    interface Store {
        /** Adds {@code amount} to the account's held amount and to allocation {@code allocationId} (created when absent); false when refused. */
        boolean allocate(String accountId, String allocationId, boolean create, long amount, long expiresAt) throws AllocationLost;

        /** Takes {@code amount} back from the allocation (the rest stays open); false when the row is no longer open. */
        boolean shrink(String accountId, String allocationId, long amount);

        /** Voids the allocation row and releases what it has left. */
        void giveBack(String accountId, String allocationId);

        /** Pushes the allocation's expiry; false when it is no longer open (expired and released). */
        boolean renew(String allocationId, long expiresAt);
    }

    /** The allocation row was released behind this node's back (it expired): start a new one. */
    static final class AllocationLost extends Exception {
        AllocationLost() {
            super(null, null, false, false);
        }
    }

    /** One allocation row as this node sees it: {@code amount} the row holds, {@code used} shared out to open calls. */
    static final class Allocation {
        final String id;
        long amount;
        long used;
        long expiresAt;

        Allocation(String id, long expiresAt) {
            this.id = id;
            this.expiresAt = expiresAt;
        }
    }

    /** A call's share of an allocation, until its settlement commits or it is voided. */
    record Share(Allocation from, long amount, long expiresAt) {
    }

    private final String accountId;
    private final Store store;
    /** This node's calls holding a share of any account, not yet settled or voided (shared by all authorities). */
    private final AtomicInteger openShares;
    private Allocation current;
    private final Map<String, Share> open = new HashMap<>();
    private long lastHoldAt;
    /** Amount held in the current and the previous half-second: sizes the next top-up. */
    private long heldNow, heldBefore, windowStart;

    AccountAuthority(String accountId, Store store) {
        this(accountId, store, new AtomicInteger());
    }

    AccountAuthority(String accountId, Store store, AtomicInteger openShares) {
        this.accountId = accountId;
        this.store = store;
        this.openShares = openShares;
    }

    /** A share of the allocation for one call, topped up from the database when needed; null when refused. */
    synchronized CreditHold hold(String requestId, long amount, long ttlMillis, long now) {
        note(amount, now);
        for (int attempt = 0; attempt < 3; attempt++) {
            long free = current == null ? 0 : current.amount - current.used;
            // no allocation yet: even a call that holds nothing (a dedicated endpoint's, billed by worker time)
            // takes its share of one, so every share has an allocation to settle against
            if (free < amount || current == null) {
                long need = amount - free;
                long want = Math.max(need, Math.max((long) MIN_TOP_UP_CALLS * amount, heldBefore + heldNow) - free);
                try {
                    // an adaptive top-up first; when the database refuses it, exactly what this call lacks
                    if (!topUp(want, now) && (want == need || !topUp(need, now))) return null;
                } catch (AllocationLost e) {
                    log.warn("the credit allocation {} of account {} expired while in use; taking a new one", current.id, accountId);
                    current = null;
                    continue;
                }
            }
            current.used += amount;
            String id = "mem-" + UUID.randomUUID();
            open.put(id, new Share(current, amount, now + ttlMillis));
            openShares.incrementAndGet();
            return new CreditHold(id, accountId, requestId, amount, false, current.id);
        }
        return null;
    }

    private boolean topUp(long amount, long now) throws AllocationLost {
        boolean create = current == null;
        String id = create ? UUID.randomUUID().toString() : current.id;
        long expiresAt = now + ALLOCATION_TTL_MILLIS;
        if (!store.allocate(accountId, id, create, amount, expiresAt)) return false;
        if (create) current = new Allocation(id, expiresAt);
        current.amount += amount;
        current.expiresAt = expiresAt;
        return true;
    }

    private void note(long amount, long now) {
        lastHoldAt = now;
        if (now - windowStart >= 500) {
            heldBefore = now - windowStart >= 1_000 ? 0 : heldNow;
            heldNow = 0;
            windowStart = now;
        }
        heldNow += amount;
    }

    /** Takes a call's share out of the open ones, once: null when it was already settled, voided or expired. */
    synchronized Share take(String holdId) {
        Share s = open.remove(holdId);
        if (s != null) openShares.decrementAndGet();
        return s;
    }

    /** After a share's settlement committed (or it was voided): {@code charged} left its allocation row. */
    synchronized void release(Share share, long charged) {
        share.from.used -= share.amount;
        share.from.amount -= charged;
    }

    /** The allocation row's charge failed its guard (the row had expired): this node must not count on it. */
    synchronized void lost(Share share) {
        if (current == share.from) current = null;
    }

    /** What this node holds in the database for the account but has not shared out to calls. */
    synchronized long unused() {
        return current == null ? 0 : current.amount - current.used;
    }

    /** Gives the unused part back to the database (another hold needs it); true when something was given back. */
    synchronized boolean giveBackUnused() {
        if (current == null) return false;
        long unused = current.amount - current.used;
        if (unused <= 0) return false;
        if (current.used == 0) {
            store.giveBack(accountId, current.id);
            current = null;
            return true;
        }
        if (store.shrink(accountId, current.id, unused)) {
            current.amount -= unused;
            return true;
        }
        current = null;
        return false;
    }

    /**
     * Called a few times a second: releases calls' shares that outlived their time to live (their caller never
     * settled, a bug), gives the allocation back when idle, renews it when its expiry comes near.
     */
    synchronized void maintain(long now) {
        List<String> expired = new ArrayList<>();
        for (Iterator<Map.Entry<String, Share>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Share> e = it.next();
            if (e.getValue().expiresAt() < now) {
                expired.add(e.getKey());
                e.getValue().from.used -= e.getValue().amount();
                it.remove();
                openShares.decrementAndGet();
            }
        }
        if (!expired.isEmpty()) log.warn("account {}: released {} call holds that were never settled", accountId, expired.size());
        if (current == null) return;
        if (current.used == 0 && now - lastHoldAt >= IDLE_MILLIS) {
            store.giveBack(accountId, current.id);
            current = null;
        } else if (current.expiresAt - now < ALLOCATION_TTL_MILLIS / 2) {
            long expiresAt = now + ALLOCATION_TTL_MILLIS;
            if (store.renew(current.id, expiresAt)) current.expiresAt = expiresAt;
            else current = null;
        }
    }

    /** A graceful stop: whatever is not shared out goes back. */
    synchronized void close() {
        try {
            giveBackUnused();
        } catch (RuntimeException e) {
            log.warn("giving back the credit allocation of account {} failed; it expires: {}", accountId, e.toString());
        }
    }

}
