package dev.hearth.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.workflows.operations.PortType;
import dev.hearth.workflows.operations.Value;

import java.math.BigDecimal;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The forms a {@link Value} takes outside a running graph: a parameter of a model call, a stored node result
 * (so a resumed run has the outputs of its finished nodes), the {@code data} of a run's output, and the short
 * preview the editor shows on each node.
 */
final class NodeValues {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final int PREVIEW_CHARS = 200;

    private NodeValues() {
    }

    /** Where media values are kept once a node produced them: a stored output, readable again after a restart. */
    interface MediaShelf {
        /** Stores the bytes; returns the stored output's id and its URL. */
        Shelved put(byte[] bytes, String contentType);

        byte[] get(String id);
    }

    record Shelved(String id, String url) {
    }

    /** A value as the parameter of a model call: media as a data URL, numbers as integers when they are whole. */
    static JsonNode param(Value v) {
        return switch (v) {
            case Value.Text t -> F.textNode(t.text());
            case Value.Number n -> number(n.value());
            case Value.Vector vec -> {
                ArrayNode a = F.arrayNode();
                for (double d : vec.values()) a.add(d);
                yield a;
            }
            case Value.Json j -> j.node();
            case Value.Media m -> F.textNode("data:" + m.contentType() + ";base64," + Base64.getEncoder().encodeToString(m.bytes()));
        };
    }

    static JsonNode number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return F.numberNode((long) d);
        return F.numberNode(d);
    }

    static Value.Vector vector(JsonNode v, String what) {
        if (!v.isArray() || v.isEmpty()) throw new IllegalStateException("the model's answer has no vector for '" + what + "'");
        double[] d = new double[v.size()];
        for (int i = 0; i < d.length; i++) d[i] = v.get(i).asDouble();
        return new Value.Vector(d);
    }

    /** A value of the given port type from its JSON form (an input node's value or default, a resumed node's result). */
    static Value of(PortType type, JsonNode v) {
        return switch (type) {
            case TEXT -> new Value.Text(v.isTextual() ? v.asText() : Json.text(v));
            case NUMBER -> new Value.Number(v.asDouble());
            case VECTOR -> vector(v, "vector");
            case JSON -> new Value.Json(v);
            case IMAGE, AUDIO -> throw new IllegalArgumentException("media values are read through the media shelf");
        };
    }

    /** A node's port values as stored with the run: media become stored outputs. */
    static ObjectNode store(Map<String, Value> values, MediaShelf shelf) {
        ObjectNode out = Json.object();
        values.forEach((port, v) -> {
            ObjectNode o = out.putObject(port).put("type", v.type().wire());
            if (v instanceof Value.Media m) {
                Shelved s = shelf.put(m.bytes(), m.contentType());
                o.put("output_id", s.id()).put("url", s.url()).put("content_type", m.contentType());
            } else {
                o.set("value", param(v));
            }
        });
        return out;
    }

    static Map<String, Value> load(JsonNode stored, MediaShelf shelf) {
        Map<String, Value> values = new LinkedHashMap<>();
        stored.properties().forEach(e -> {
            PortType type = PortType.fromWire(e.getValue().path("type").asText());
            JsonNode o = e.getValue();
            values.put(e.getKey(), type == PortType.IMAGE || type == PortType.AUDIO
                    ? new Value.Media(type, shelf.get(o.path("output_id").asText()), o.path("content_type").asText())
                    : of(type, o.path("value")));
        });
        return values;
    }

    /**
     * A run output's {@code data}: text as it is, a number as its decimal text, media as the URL of the stored
     * output, vectors and JSON as JSON text. Always a string, as Segmind's clients expect.
     */
    static String data(JsonNode stored) {
        String type = stored.path("type").asText();
        if (stored.has("url")) return stored.path("url").asText();
        JsonNode v = stored.path("value");
        return switch (type) {
            case "text" -> v.asText();
            case "number" -> v.isIntegralNumber() ? v.asText() : new BigDecimal(v.asText()).stripTrailingZeros().toPlainString();
            default -> Json.text(v);
        };
    }

    /** What the editor shows on a node: the first output's text, number or URL, shortened; null for JSON and vectors. */
    static JsonNode preview(JsonNode stored) {
        var it = stored.properties().iterator();
        while (it.hasNext()) {
            JsonNode o = it.next().getValue();
            if (o.has("url")) return F.textNode(o.path("url").asText());
            String type = o.path("type").asText();
            if (type.equals("number")) return o.path("value");
            if (type.equals("text")) {
                String t = o.path("value").asText();
                return F.textNode(t.length() > PREVIEW_CHARS ? t.substring(0, PREVIEW_CHARS) + "…" : t);
            }
        }
        return null;
    }
}
