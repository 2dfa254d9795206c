package dev.hearth.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;

/**
 * Form fields arrive as text; a model's schema says what they are. This turns each top-level text value into
 * the schema's type where it reads as one ({@code "4"} → 4 for an integer, {@code "true"} → true, a JSON text for
 * an array or object, a lone value for an array of them); anything that does not read is left as text for the
 * schema check to name in its 422. Only form bodies pass through here: JSON bodies keep their own types.
 */
public final class FormFields {

    private FormFields() {
    }

    public static ObjectNode coerce(ObjectNode form, ObjectNode schema) {
        ObjectNode out = form.deepCopy();
        JsonNode props = schema.path("properties");
        form.fieldNames().forEachRemaining(name -> {
            JsonNode prop = props.path(name);
            if (prop.isMissingNode()) return;
            JsonNode v = out.get(name);
            out.set(name, coerceValue(v, prop));
        });
        return out;
    }

    private static JsonNode coerceValue(JsonNode v, JsonNode prop) {
        String type = prop.path("type").asText("");
        if (type.equals("array")) {
            if (v.isTextual() && v.asText().trim().startsWith("[")) return parsedOr(v);
            ArrayNode arr = v.isArray() ? (ArrayNode) v.deepCopy() : Json.MAPPER.createArrayNode().add(v);
            ArrayNode coerced = Json.MAPPER.createArrayNode();
            arr.forEach(item -> coerced.add(coerceValue(item, prop.path("items"))));
            return coerced;
        }
        if (!v.isTextual()) return v;
        String s = v.asText().trim();
        return switch (type) {
            case "integer" -> s.matches("[-+]?\\d{1,18}") ? LongNode.valueOf(Long.parseLong(s)) : v;
            case "number" -> decimal(s) instanceof BigDecimal d ? DecimalNode.valueOf(d) : v;
            case "boolean" -> s.equalsIgnoreCase("true") ? BooleanNode.TRUE : s.equalsIgnoreCase("false") ? BooleanNode.FALSE : v;
            case "object" -> s.startsWith("{") ? parsedOr(v) : v;
            default -> v;
        };
    }

    /** The form text as a number, or null when it is not one or is out of {@link NumberRange} (validation then names it). */
    private static BigDecimal decimal(String s) {
        if (!s.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d{1,9})?")) return null;
        BigDecimal d = new BigDecimal(s);
        return NumberRange.holds(d) ? d : null;
    }

    private static JsonNode parsedOr(JsonNode v) {
        try {
            return Json.MAPPER.readTree(v.asText());
        } catch (Exception e) {
            return v;
        }
    }
}
