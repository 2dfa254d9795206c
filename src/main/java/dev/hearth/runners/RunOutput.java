package dev.hearth.runners;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a runner produced. JSON outputs are returned to the caller as they are; media outputs are bytes with
 * their content type. {@code billableUnits} is what per-unit pricing multiplies (tokens for per-token models);
 * 0 when the model is priced otherwise. {@code reportedMillis} is the processing time a remote worker reports
 * for the run (Cog's {@code metrics.predict_time}), or null: per-second pricing prefers it to the time the
 * gateway measured, which also contains the network and any wait for a free slot on the worker.
 */
public sealed interface RunOutput {

    Long reportedMillis();

    record Json(JsonNode body, long billableUnits, Long reportedMillis) implements RunOutput {
        public Json(JsonNode body, long billableUnits) {
            this(body, billableUnits, null);
        }
    }

    record Media(byte[] bytes, String contentType, Long reportedMillis) implements RunOutput {
        public Media(byte[] bytes, String contentType) {
            this(bytes, contentType, null);
        }
    }
}
