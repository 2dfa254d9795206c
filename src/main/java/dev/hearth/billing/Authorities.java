package dev.hearth.billing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's {@link AccountAuthority} per account, and the one thread that keeps their allocations tidy
 * (renewed while used, given back when idle). An authority is never removed once made: a caller may hold a
 * reference to it, and an authority without an allocation costs a few fields.
 */
final class Authorities implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Authorities.class);
    private static final long TICK_MILLIS = 200;

    private final ConcurrentHashMap<String, AccountAuthority> byAccount = new ConcurrentHashMap<>();
    private final AtomicInteger openShares = new AtomicInteger();
    private final AccountAuthority.Store store;
    private final Clock clock;
    private final Thread keeper;
    private volatile boolean closed;
    private volatile boolean abandoned;

    Authorities(AccountAuthority.Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.keeper = Thread.ofPlatform().daemon().name("hearth-credit-allocations").start(this::keep);
    }

    AccountAuthority of(String accountId) {
        return byAccount.computeIfAbsent(accountId, id -> new AccountAuthority(id, store, openShares));
    }

    /** How many calls on this node hold a share and have not started to settle it: settlements that will come soon. */
    int openShares() {
        return openShares.get();
    }

    /** The authority of an account if this node has one (without making one). */
    AccountAuthority existing(String accountId) {
        return byAccount.get(accountId);
    }

    private void keep() {
        while (!closed) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = clock.millis();
            for (AccountAuthority a : byAccount.values()) {
                try {
                    a.maintain(now);
                } catch (RuntimeException e) {
                    // database unreachable: the next tick tries again; an allocation not renewed expires
                    log.warn("keeping a credit allocation failed: {}", e.toString());
                }
            }
        }
    }

    /** A graceful stop: every allocation's unused part goes back to the database. */
    @Override
    public void close() {
        closed = true;
        keeper.interrupt();
        try {
            keeper.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!abandoned) byAccount.values().forEach(AccountAuthority::close);
    }

    /** For tests: stop keeping allocations, as a crashed node would (nothing is given back). */
    void abandon() {
        abandoned = true;
        closed = true;
        keeper.interrupt();
    }
}
