package dev.hearth.accounts;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When each key was last used ({@code api_keys.last_used_at}), so operators can find stale or leaked keys. A request
 * only notes the time in memory; a background thread writes all the keys seen since its last pass in one
 * transaction every {@code interval}, so the request path never waits for a database write and a busy key costs
 * one UPDATE per interval, not one per request. A stop writes what is pending.
 */
public final class KeyUse implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KeyUse.class);

    private final Jdbi jdbi;
    private final Clock clock;
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService writer;

    public KeyUse(Database db, Clock clock, Duration interval) {
        this.jdbi = db.jdbi();
        this.clock = clock;
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("hearth-key-use").unstarted(r));
        long ms = Math.max(1, interval.toMillis());
        writer.scheduleWithFixedDelay(this::writeSafely, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Notes that {@code keyId} was used now; costs one map write. */
    public void used(String keyId) {
        pending.put(keyId, clock.millis());
    }

    private void writeSafely() {
        try {
            write();
        } catch (Exception e) {
            log.warn("writing keys' last use failed (retried at the next pass): {}", e.toString());
        }
    }

    /** Writes every pending time; a key used again meanwhile stays pending with its newer time. */
    void write() {
        if (pending.isEmpty()) return;
        Map<String, Long> batch = Map.copyOf(pending);
        jdbi.useTransaction(h -> {
            var update = h.prepareBatch("UPDATE api_keys SET last_used_at = :t WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :t)");
            batch.forEach((id, t) -> update.bind("id", id).bind("t", t).add());
            update.execute();
        });
        batch.forEach(pending::remove);
    }

    @Override
    public void close() {
        writer.shutdownNow();
        writeSafely();
    }
}
