package dev.hearth.runners;

/**
 * A booted model that turns validated parameters into an output. One runner instance may be called from
 * several threads at once, up to the model's configured slots; implementations guard whatever is not
 * thread-safe themselves. {@link #close()} unloads the model (weights, sessions, processes).
 */
public interface Runner extends AutoCloseable {

    RunOutput run(RunInput input) throws Exception;

    @Override
    default void close() throws Exception {
    }
}
