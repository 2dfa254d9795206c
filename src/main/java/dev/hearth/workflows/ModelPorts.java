package dev.hearth.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.runners.RunOutput;
import dev.hearth.workflows.operations.Port;
import dev.hearth.workflows.operations.PortType;
import dev.hearth.workflows.operations.Value;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a catalog model looks as a workflow node, derived from its catalog entry alone. Inputs are the
 * properties of its input schema, typed from the schema ({@code string} → text, {@code number}/{@code integer}
 * → number, {@code x-hearth-media} image/audio → image/audio, an array of numbers → vector, anything else
 * → json). Outputs follow what the model returns: a media model gives {@code image} (or {@code audio}); a JSON
 * model gives its whole answer as {@code output} plus, by catalog category, one typed convenience port
 * (the first vector of an embedding model, the text an OCR model read or a speech model heard), so common graphs need no JSON pick.
 */
public final class ModelPorts {

    /** A typed port taken from a JSON answer: the value at a JSON pointer. */
    private record Derived(Port port, String pointer) {
    }

    /** By catalog category: the conveniences its models' JSON answers carry. */
    private static final Map<String, Derived> BY_CATEGORY = Map.of(
            "embeddings", new Derived(Port.required("embedding", PortType.VECTOR), "/embeddings/0"),
            "image-to-text", new Derived(Port.required("text", PortType.TEXT), "/text"),
            "speech-to-text", new Derived(Port.required("text", PortType.TEXT), "/text"));

    private ModelPorts() {
    }

    public static NodePorts of(ModelSpec model) {
        ObjectNode schema = model.inputSchema();
        Set<String> required = new HashSet<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        List<Port> inputs = new ArrayList<>();
        schema.path("properties").properties().forEach(p ->
                inputs.add(new Port(p.getKey(), typeOf(p.getValue()), required.contains(p.getKey()))));
        List<Port> outputs = new ArrayList<>();
        PortType media = mediaOutput(model);
        if (media != null) {
            outputs.add(Port.required(media.wire(), media));
        } else {
            outputs.add(Port.required("output", PortType.JSON));
            Derived d = BY_CATEGORY.get(model.category());
            if (d != null) outputs.add(d.port);
        }
        return new NodePorts(List.copyOf(inputs), List.copyOf(outputs));
    }

    /** The port type of one input schema property. */
    public static PortType typeOf(JsonNode property) {
        String media = property.path("x-hearth-media").asText("");
        if (media.equals("image")) return PortType.IMAGE;
        if (media.equals("audio")) return PortType.AUDIO;
        return switch (property.path("type").asText("")) {
            case "string" -> PortType.TEXT;
            case "number", "integer" -> PortType.NUMBER;
            case "array" -> property.path("items").path("type").asText("").matches("number|integer") ? PortType.VECTOR : PortType.JSON;
            default -> PortType.JSON;
        };
    }

    private static PortType mediaOutput(ModelSpec model) {
        String out = model.output() == null ? "" : model.output();
        if (out.startsWith("image/")) return PortType.IMAGE;
        if (out.startsWith("audio/")) return PortType.AUDIO;
        return null;
    }

    /**
     * What a model call produced, as the values of the node's output ports.
     *
     * @throws IllegalStateException when the answer lacks what a port promises (the node fails, naming it)
     */
    public static Map<String, Value> values(ModelSpec model, RunOutput output) {
        Map<String, Value> values = new LinkedHashMap<>();
        PortType media = mediaOutput(model);
        switch (output) {
            case RunOutput.Media m -> {
                if (media == null) throw new IllegalStateException("model '" + model.slug() + "' answered with media where JSON was expected");
                values.put(media.wire(), new Value.Media(media, m.bytes(), m.contentType()));
            }
            case RunOutput.Json j -> {
                if (media != null) {
                    throw new IllegalStateException("model '" + model.slug() + "' answered with JSON, not an " + media.wire()
                            + " (leave options such as base64 unset in a workflow)");
                }
                values.put("output", new Value.Json(j.body()));
                Derived d = BY_CATEGORY.get(model.category());
                if (d != null) {
                    JsonNode v = j.body().at(d.pointer);
                    values.put(d.port.name(), switch (d.port.type()) {
                        case VECTOR -> NodeValues.vector(v, d.port.name());
                        case TEXT -> new Value.Text(v.asText());
                        default -> new Value.Json(v);
                    });
                }
            }
        }
        return values;
    }
}
