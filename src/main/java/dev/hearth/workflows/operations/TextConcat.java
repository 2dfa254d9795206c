package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/**
 * {@code text_concat}: joins the texts on {@code a}, {@code b}, {@code c}, {@code d} (in that order, skipping
 * ports that are not wired) with {@code separator} between them.
 */
final class TextConcat extends BuiltInOperation {

    TextConcat() {
        super("text_concat", "Concatenate text",
                List.of(Port.required("a", PortType.TEXT), Port.optional("b", PortType.TEXT),
                        Port.optional("c", PortType.TEXT), Port.optional("d", PortType.TEXT)),
                List.of(Port.required("text", PortType.TEXT)),
                """
                {"$schema": "https://json-schema.org/draft/2020-12/schema",
                 "type": "object",
                 "properties": {
                   "separator": {"type": "string", "default": "", "description": "Put between consecutive texts, e.g. a space or a newline"}
                 },
                 "additionalProperties": false}
                """);
    }

    @Override
    Map<String, Value> apply(Map<String, Value> inputs, ObjectNode params) {
        String separator = params.path("separator").asText("");
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Port p : inputs()) {
            if (!(inputs.get(p.name()) instanceof Value.Text t)) continue;
            if (!first) out.append(separator);
            out.append(t.text());
            first = false;
        }
        return Map.of("text", new Value.Text(out.toString()));
    }
}
