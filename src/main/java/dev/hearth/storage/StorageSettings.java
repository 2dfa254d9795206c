package dev.hearth.storage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.config.Durations;

import java.time.Duration;

/**
 * The {@code storage:} section (SPEC §8): size limits of uploads and media inputs, how long model outputs are
 * kept, how often expired ones are swept, and the largest image (in pixels) Hearth will decode to check it.
 */
public record StorageSettings(long maxItemBytes, long maxRequestBytes, long maxAccountBytes, Duration outputRetention,
                              Duration sweepInterval, long maxImagePixels) {

    public static StorageSettings from(JsonNode s) {
        StorageSettings settings = new StorageSettings(
                s.path("max_item_bytes").asLong(20L << 20),
                s.path("max_request_bytes").asLong(50L << 20),
                s.path("max_account_bytes").asLong(1L << 30),
                Durations.parse("storage.output_retention", s.path("output_retention").asText("7d")),
                Durations.parse("storage.sweep_interval", s.path("sweep_interval").asText("1m")),
                s.path("max_image_pixels").asLong(100_000_000L));
        if (settings.maxItemBytes <= 0 || settings.maxRequestBytes <= 0 || settings.maxAccountBytes <= 0 || settings.maxImagePixels <= 0) {
            throw new IllegalArgumentException("storage limits must be positive numbers of bytes (and pixels)");
        }
        if (settings.sweepInterval.isZero() || settings.sweepInterval.isNegative()) throw new IllegalArgumentException("storage.sweep_interval must be positive");
        return settings;
    }

    /**
     * The body limit of an upload: the request limit in base64 (4/3), plus room for JSON and data: prefixes, and
     * never below the server's general body limit.
     */
    public long uploadBodyBytes(long serverMaxBody) {
        return Math.max(serverMaxBody, maxRequestBytes / 3 * 4 + 8 + (1L << 20));
    }
}
