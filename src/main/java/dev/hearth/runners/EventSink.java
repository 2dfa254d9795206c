package dev.hearth.runners;

import java.io.IOException;

/**
 * Where a streaming runner sends each server-sent event the moment it has it (one {@code data:} payload, e.g.
 * an OpenAI chat completion chunk). The gateway writes and flushes it to the client at once. It throws when
 * the client has gone; a runner then stops forwarding but finishes the run, so that what was produced is
 * still accounted for.
 */
@FunctionalInterface
public interface EventSink {

    void send(String data) throws IOException;

    /** Told the request id once the call is admitted (held), before anything runs. */
    default void admitted(String requestId) {
    }
}
