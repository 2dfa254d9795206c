package dev.hearth.endpoints;

/**
 * The REQUEST_COUNT scaler (SPEC §9), as a pure function of what the pool looks like now. {@code scaler_value}
 * is the number of queued-plus-running jobs one worker is meant to carry: the pool wants
 * {@code ceil((queued + running) / scaler_value)} workers, never fewer than {@code workers_min} nor more than
 * {@code workers_max}. It grows at once; it shrinks only by workers that have been idle for the endpoint's
 * {@code idle_timeout}, so a short pause between calls never stops a warm worker, and with {@code workers_min: 0}
 * the last worker stops after the same idle time (scale to zero).
 */
final class Scaler {

    private Scaler() {
    }

    /** Workers the load asks for, within [min, max]. */
    static int desired(int queued, int running, int scalerValue, int min, int max) {
        int load = Math.max(0, queued) + Math.max(0, running);
        int wanted = (load + scalerValue - 1) / Math.max(1, scalerValue);
        return Math.clamp(wanted, min, max);
    }

    /**
     * How many workers the pool should have: {@code workers} are up now (booting, ready or busy; not stopping),
     * {@code idleLongEnough} of them have run nothing for at least the idle timeout.
     */
    static int target(int queued, int running, int workers, int idleLongEnough, int scalerValue, int min, int max) {
        int desired = desired(queued, running, scalerValue, min, max);
        if (desired >= workers) return desired;
        return Math.max(desired, workers - idleLongEnough);
    }
}
