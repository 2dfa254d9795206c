package dev.hearth.runners;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * What a runner receives: the request id (for logs and remote protocols), the parameters after schema
 * validation and seed resolution, the seed actually used (null when the model takes none), the media inputs
 * already fetched and checked, keyed by field name ({@code "image"}, {@code "images[1]"}), and where to send
 * server-sent events as they are produced (null unless the caller asked for a stream and waits on one).
 */
public record RunInput(String requestId, ObjectNode params, Long seed, Map<String, MediaBlob> media, EventSink events) {

    public RunInput(String requestId, ObjectNode params, Long seed) {
        this(requestId, params, seed, Map.of(), null);
    }

    public RunInput {
        media = media == null ? Map.of() : Map.copyOf(media);
    }

    public boolean streaming() {
        return events != null;
    }
}
