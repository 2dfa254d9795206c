package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.Base64;

/**
 * Conversions between values, for the one place ports of different types meet: any output may feed a
 * {@code json} input (PortType#feeds), which then sees the value as JSON.
 */
public final class Values {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Integers up to 2^53 are exact in a double; beyond that a whole double is still written as a decimal. */
    private static final double EXACT_INTEGERS = 9_007_199_254_740_992d;

    private Values() {
    }

    /**
     * The value as JSON: text → string, number → number (whole numbers without ".0"), vector → array of numbers,
     * media → a {@code data:} URL string (lossless, and what Segmind's APIs accept for media).
     */
    public static JsonNode asJson(Value value) {
        return switch (value) {
            case Value.Json j -> j.node();
            case Value.Text t -> NODES.textNode(t.text());
            case Value.Number n -> number(n.value());
            case Value.Vector v -> {
                ArrayNode a = NODES.arrayNode(v.values().length);
                for (double d : v.values()) a.add(number(d));
                yield a;
            }
            case Value.Media m -> NODES.textNode("data:" + m.contentType() + ";base64," + Base64.getEncoder().encodeToString(m.bytes()));
        };
    }

    private static JsonNode number(double d) {
        if (d == Math.rint(d) && Math.abs(d) <= EXACT_INTEGERS) return NODES.numberNode((long) d);
        return NODES.numberNode(d);
    }
}
