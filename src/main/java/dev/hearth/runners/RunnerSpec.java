package dev.hearth.runners;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The {@code runner:} section of a catalog entry: a type that names a {@link RunnerFactory} and the
 * parameters that factory understands (weights, tokenizer, URLs...).
 */
public record RunnerSpec(String type, JsonNode params) {

    public RunnerSpec {
        if (params == null) params = JsonNodeFactory.instance.objectNode();
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
}
