package dev.hearth.usage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.config.HearthConfig;

/**
 * The {@code usage} configuration section: how many days raw usage records are kept ({@code retention_days},
 * default 400; 0 keeps them forever). Daily aggregates hold no parameters and are kept regardless, so totals and
 * charts stay right after raw records expire.
 */
public record UsageSettings(int retentionDays) {

    public static final int DEFAULT_RETENTION_DAYS = 400;

    public static UsageSettings from(HearthConfig config) {
        JsonNode days = config.section("usage").path("retention_days");
        int retention = DEFAULT_RETENTION_DAYS;
        if (!days.isMissingNode() && !days.isNull() && !days.asText().isBlank()) {
            try {
                retention = Integer.parseInt(days.asText().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("usage.retention_days must be a whole number of days (0 keeps usage records forever), got '"
                        + days.asText() + "'");
            }
        }
        if (retention < 0) throw new IllegalArgumentException("usage.retention_days must not be negative (0 keeps usage records forever), got " + retention);
        return new UsageSettings(retention);
    }
}
