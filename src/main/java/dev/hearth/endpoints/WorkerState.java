package dev.hearth.endpoints;

/** Where one worker of an endpoint stands; it is billed in every state, boot and stop included. */
enum WorkerState {
    BOOTING, READY, BUSY, STOPPING;

    String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
