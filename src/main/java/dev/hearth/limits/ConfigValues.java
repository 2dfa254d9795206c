package dev.hearth.limits;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;

/**
 * Reads numbers and booleans from the configuration tree. Values set through HEARTH_* environment variables
 * arrive as text, so "20" and 20 are both accepted; anything else fails startup with the key's path.
 */
final class ConfigValues {

    private ConfigValues() {
    }

    static long positiveLong(JsonNode n, String path, long max) {
        long v;
        if (n.isIntegralNumber()) v = n.asLong();
        else if (n.isTextual() && n.asText().trim().matches("\\d{1,18}")) v = Long.parseLong(n.asText().trim());
        else throw new IllegalArgumentException(path + " must be a whole number, got " + (n.isMissingNode() ? "nothing" : n.toString()));
        if (v < 1 || v > max) throw new IllegalArgumentException(path + " must be between 1 and " + max + ", got " + v);
        return v;
    }

    static boolean bool(JsonNode n, String path) {
        if (n.isBoolean()) return n.asBoolean();
        if (n.isTextual() && (n.asText().equalsIgnoreCase("true") || n.asText().equalsIgnoreCase("false"))) return Boolean.parseBoolean(n.asText());
        throw new IllegalArgumentException(path + " must be true or false, got " + (n.isMissingNode() ? "nothing" : n.toString()));
    }

    static BigDecimal decimal(JsonNode n, String path) {
        try {
            BigDecimal d = n.isNumber() ? n.decimalValue() : new BigDecimal(n.asText().trim());
            if (d.signum() < 0) throw new IllegalArgumentException(path + " must not be negative, got " + d);
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path + " must be a number, got " + n);
        }
    }

    static String text(JsonNode n, String fallback) {
        return n.isMissingNode() || n.isNull() ? fallback : n.asText();
    }
}
