package dev.hearth.usage;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes raw usage records older than {@code usage.retention_days}, hourly, in slices of a few thousand rows
 * so that the sweep never holds a long write lock (SQLite has one writer). Daily aggregates are kept: totals
 * and charts do not change when raw records expire.
 */
public final class UsageRetention implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageRetention.class);
    private static final int SLICE = 5_000;

    private final Jdbi jdbi;
    private final Clock clock;
    private final int retentionDays;
    private ScheduledExecutorService timer;

    public UsageRetention(Database db, Clock clock, UsageSettings settings) {
        this.jdbi = db.jdbi();
        this.clock = clock;
        this.retentionDays = settings.retentionDays();
    }

    /** Sweeps a minute after start, then every hour; nothing to do when records are kept forever. */
    public void start() {
        if (retentionDays == 0) {
            log.info("usage records are kept forever (usage.retention_days: 0)");
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("hearth-usage-retention").unstarted(r));
        timer.scheduleWithFixedDelay(() -> {
            try {
                sweep();
            } catch (Exception e) {
                log.warn("deleting expired usage records failed, will retry in an hour: {}", e.toString());
            }
        }, 1, 60, TimeUnit.MINUTES);
    }

    /** Deletes every record that finished before the retention window; returns how many. */
    public long sweep() {
        if (retentionDays == 0) return 0;
        long cutoff = clock.millis() - retentionDays * UsageDays.MILLIS_PER_DAY;
        long total = 0;
        while (true) {
            int n = jdbi.withHandle(h -> h.createUpdate("DELETE FROM usage_records WHERE request_id IN "
                            + "(SELECT request_id FROM usage_records WHERE finished_at < :cutoff LIMIT :n)")
                    .bind("cutoff", cutoff).bind("n", SLICE).execute());
            total += n;
            if (n < SLICE) break;
        }
        if (total > 0) log.info("deleted {} usage records older than {} days", total, retentionDays);
        return total;
    }

    @Override
    public void close() {
        if (timer != null) timer.shutdownNow();
    }
}
