package dev.hearth.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This node's leases on its unfinished work, kept on one ticker: every third of the lease it renews what it owns,
 * then takes over what nodes that died left behind. At a graceful stop it lets go, so that the other nodes take
 * its queued work at once instead of after the lease. A database error skips one tick; the next one comes well
 * within the lease.
 */
public final class NodeLeases implements AutoCloseable {

    /** One kind of leased work (v2 jobs, workflow runs). */
    public interface Work {
        String name();

        void renew(long now);

        /** Claims lapsed work and starts running it here; returns how much was taken. */
        int takeOverLapsed(long now);

        void release();
    }

    private static final Logger log = LoggerFactory.getLogger(NodeLeases.class);

    private final List<Work> work;
    private final Clock clock;
    private final long periodMillis;
    private volatile boolean stopping;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "node-leases");
        t.setDaemon(true);
        return t;
    });

    public NodeLeases(List<Work> work, long leaseSeconds, Clock clock) {
        if (leaseSeconds < 3) throw new IllegalArgumentException("jobs.lease_seconds must be at least 3, got " + leaseSeconds);
        this.work = List.copyOf(work);
        this.clock = clock;
        this.periodMillis = leaseSeconds * 1000L / 3;
    }

    /** Starts renewing and taking over; the first round runs at once (work a stopped node let go of). */
    public void start() {
        ticker.scheduleWithFixedDelay(this::tick, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** A draining node still renews (its running work finishes here) but takes nothing new. */
    public void stopTakingOver() {
        stopping = true;
    }

    void tick() {
        for (Work w : work) {
            try {
                w.renew(clock.millis());
                if (stopping) continue;
                int taken = w.takeOverLapsed(clock.millis());
                if (taken > 0) log.info("took over {} {} whose node stopped renewing its lease", taken, w.name());
            } catch (RuntimeException e) {
                log.warn("leases of {}: {}", w.name(), e.toString());
            }
        }
    }

    /** Stops renewing and releases this node's unfinished work to the other nodes (after the engines drained). */
    @Override
    public void close() {
        stopping = true;
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Work w : work) {
            try {
                w.release();
            } catch (RuntimeException e) {
                log.warn("could not release the leases of {} (they lapse on their own): {}", w.name(), e.toString());
            }
        }
    }
}
