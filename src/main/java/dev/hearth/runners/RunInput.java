package dev.hearth.runners;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a runner receives: the request id (for logs and remote protocols), the parameters after schema
 * validation and seed resolution, and the seed actually used (null when the model takes none).
 */
public record RunInput(String requestId, ObjectNode params, Long seed) {
}
