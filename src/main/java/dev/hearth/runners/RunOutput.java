package dev.hearth.runners;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a runner produced. JSON outputs are returned to the caller as they are; media outputs are bytes with
 * their content type. {@code billableUnits} is what per-unit pricing multiplies (tokens for per-token models);
 * 0 when the model is priced otherwise.
 */
public sealed interface RunOutput {

    record Json(JsonNode body, long billableUnits) implements RunOutput {
    }

    record Media(byte[] bytes, String contentType) implements RunOutput {
    }
}
