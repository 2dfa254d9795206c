package dev.hearth.endpoints;

import dev.hearth.runners.Runner;

/**
 * One worker of an endpoint's pool: its runner once booted, how many of its slots are taken, and since when
 * it is up (billing) and idle (scaling down). Mutable state is guarded by the pool's monitor.
 */
final class EndpointWorker {

    final String id;
    final long upSince;
    final int slots;
    WorkerState state = WorkerState.BOOTING;
    Runner runner;
    /** The thread booting this worker, interrupted when the worker is stopped before its boot ends. */
    Thread bootThread;
    int busy;
    long idleSince;
    long served;

    EndpointWorker(String id, long upSince, int slots) {
        this.id = id;
        this.upSince = upSince;
        this.slots = slots;
        this.idleSince = upSince;
    }

    boolean serving() {
        return state == WorkerState.READY || state == WorkerState.BUSY;
    }

    boolean hasFreeSlot() {
        return serving() && busy < slots && runner != null && runner.alive();
    }
}
