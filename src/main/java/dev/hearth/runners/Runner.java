package dev.hearth.runners;

/**
 * A booted model that turns validated parameters into an output. One runner instance may be called from
 * several threads at once, up to the model's configured slots; implementations guard whatever is not
 * thread-safe themselves. {@link #close()} unloads the model (weights, sessions, processes).
 */
public interface Runner extends AutoCloseable {

    RunOutput run(RunInput input) throws Exception;

    /**
     * False once the runner can serve no job any more (every worker process behind it has exited): the pool
     * then closes it and boots the model again for the next job.
     */
    default boolean alive() {
        return true;
    }

    /**
     * True when an interrupt of the calling thread ends a call at once (its waits are on sockets, as an HTTP
     * upstream's are on a virtual thread): the gateway may then run a waiting caller's job on that caller's own
     * thread, since a timeout or a cancel still ends it there. Native code that ignores interrupts must say false.
     */
    default boolean endsOnInterrupt() {
        return false;
    }

    /** How many instances serve the model right now (worker processes, remote servers); 1 in process. */
    default int instances() {
        return 1;
    }

    @Override
    default void close() throws Exception {
    }
}
