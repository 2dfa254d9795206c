package dev.hearth.runtime;

import dev.hearth.runners.RunInput;

/**
 * A job as the runtime sees it: what to run, and the callbacks through which the runtime reports what
 * happened. The job engine implements it and does the accounting; the runtime only queues, boots and runs.
 */
public interface Work {

    String id();

    RunInput input();

    /** When the job was admitted (System.nanoTime), for queue time and for boot-failure bookkeeping. */
    long admittedNanos();

    /**
     * Called on a worker when the job leaves the queue and its model is warm. Returning false skips the job
     * (it was canceled while it waited).
     */
    boolean start(long queueMillis);

    void succeeded(Execution execution);

    /**
     * The job did not produce output: {@link ModelUnavailable} (boot failed, 503), {@link ExecutionTimeout}
     * (504), {@link java.util.concurrent.CancellationException} (canceled while running), a
     * {@link dev.hearth.runners.RunFailure} (422) or anything else the runner threw (500).
     */
    void failed(Exception cause);
}
