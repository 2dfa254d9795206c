package dev.hearth.runners;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a runner receives: the request id (for logs and remote protocols), the parameters after schema
 * validation and seed resolution, the seed actually used (null when the model takes none), and where to send
 * server-sent events as they are produced (null unless the caller asked for a stream and waits on one).
 */
public record RunInput(String requestId, ObjectNode params, Long seed, EventSink events) {

    public RunInput(String requestId, ObjectNode params, Long seed) {
        this(requestId, params, seed, null);
    }

    public boolean streaming() {
        return events != null;
    }
}
