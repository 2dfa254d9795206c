package dev.hearth.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/**
 * The numbers a request body may carry. JSON allows any exponent ({@code 1e10000}, {@code 2e-10000},
 * {@code 1e999999999}); no number type Hearth passes to a model holds one, and such a value cannot even be written
 * back as plain text (SPEC §6 writes numbers without exponents). Refusing it while the body is read turns what
 * used to fail deep inside validation (a 500) into the caller's 422 naming the field.
 */
public final class NumberRange {

    /** Largest decimal exponent (either sign) a number may have; doubles stop at ±308, Jackson's number text at 1000 digits. */
    public static final int MAX_EXPONENT = 1000;

    private NumberRange() {
    }

    /** True when {@code d} can be held by Hearth: its scale (digits after the point, or zeros before it) is within the bound. */
    public static boolean holds(BigDecimal d) {
        return Math.abs((long) d.scale()) <= MAX_EXPONENT;
    }

    /** Throws a 422 naming the JSON path of the first number in {@code node} that is out of range. */
    static void check(JsonNode node) {
        String where = firstOutOfRange(node, "$");
        if (where != null) throw ApiException.invalid(where);
    }

    private static String firstOutOfRange(JsonNode node, String path) {
        if (node.isBigDecimal()) {
            return holds(node.decimalValue()) ? null : path + ": the number " + abbreviated(node.decimalValue())
                    + " is out of range (exponents beyond ±" + MAX_EXPONENT + " fit no number type)";
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String found = firstOutOfRange(e.getValue(), path + "." + e.getKey());
                if (found != null) return found;
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = firstOutOfRange(node.get(i), path + "[" + i + "]");
                if (found != null) return found;
            }
        }
        return null;
    }

    /** Where a streaming parser is, as a JSON path: {@code $.data_urls[0]}. */
    static String path(com.fasterxml.jackson.core.JsonStreamContext at) {
        StringBuilder path = new StringBuilder();
        for (var c = at; c != null && !c.inRoot(); c = c.getParent()) {
            path.insert(0, c.inArray() ? "[" + Math.max(0, c.getCurrentIndex()) + "]" : "." + c.getCurrentName());
        }
        return "$" + path;
    }

    /** The number in scientific form, its digits cut: a 1,000-digit mantissa is not worth echoing. */
    private static String abbreviated(BigDecimal d) {
        String s = d.toString();
        return s.length() <= 40 ? s : s.substring(0, 20) + "…" + s.substring(s.length() - 15);
    }
}
