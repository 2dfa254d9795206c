package dev.hearth.runners;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code runner:} section of a catalog entry: a type that names a {@link RunnerFactory} and the
 * parameters that factory understands (weights, tokenizer, URLs...), plus the entry's instance limits for
 * runners that start or pick instances themselves (worker processes, several remote servers), and the
 * content type the catalog says the model returns ({@code application/json} or a media type).
 */
public record RunnerSpec(String type, JsonNode params, Instances instances, String output) {

    /**
     * From the catalog's {@code scaling}: at least {@code min} and at most {@code max} instances, each running
     * up to {@code slotsEach} jobs at once; an instance beyond the minimum stops after {@code idleTimeoutSeconds}.
     */
    public record Instances(int min, int max, int slotsEach, int idleTimeoutSeconds) {
        public static final Instances ONE = new Instances(0, 1, 4, 300);
    }

    public RunnerSpec {
        if (params == null) params = JsonNodeFactory.instance.objectNode();
        if (instances == null) instances = Instances.ONE;
        if (output == null) output = "application/json";
    }

    public RunnerSpec(String type, JsonNode params) {
        this(type, params, Instances.ONE, null);
    }

    public boolean mediaOutput() {
        return !output.startsWith("application/json");
    }

    public String text(String name, String fallback) {
        JsonNode v = params.get(name);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    public String requiredText(String name) {
        String v = text(name, null);
        if (v == null || v.isBlank()) throw new IllegalArgumentException("runner '" + type + "' needs the parameter '" + name + "'");
        return v;
    }

    /** A parameter given as one string or a list of strings (e.g. {@code url} or {@code urls}). */
    public List<String> texts(String name) {
        JsonNode v = params.get(name);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isArray()) v.forEach(e -> out.add(e.asText()));
        else out.add(v.asText());
        return out;
    }

    public int integer(String name, int fallback) {
        String value = text(name, null);
        if (value == null) return fallback;
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("runner '" + type + "': '" + name + "' must be a whole number, not '" + value + "'");
        }
    }
}
