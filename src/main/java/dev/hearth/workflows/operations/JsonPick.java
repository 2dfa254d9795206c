package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;

import java.util.List;
import java.util.Map;

/**
 * {@code json_pick}: takes one value out of a JSON document, typically the part of a model's output that the
 * next step needs, e.g. the answer of an OpenAI-shaped chat completion ({@code choices[0].message.content}).
 * The path is a JSON Pointer or a dotted path (see {@link JsonPath}). Two outputs: {@code value}, the picked
 * JSON as it is, and {@code text}, strings as they are and anything else as its JSON text. A path that is
 * missing, or that leads to {@code null}, fails the step naming the path: a downstream prompt built from
 * "null" would be a wrong answer rather than an error.
 */
final class JsonPick extends BuiltInOperation {

    JsonPick() {
        super("json_pick", "Pick from JSON",
                List.of(Port.required("json", PortType.JSON)),
                List.of(Port.required("value", PortType.JSON), Port.required("text", PortType.TEXT)),
                """
                {"$schema": "https://json-schema.org/draft/2020-12/schema",
                 "type": "object",
                 "properties": {
                   "path": {"type": "string", "maxLength": 1000,
                     "description": "JSON Pointer (/choices/0/message/content) or dotted path (choices[0].message.content); empty for the whole document"}
                 },
                 "required": ["path"],
                 "additionalProperties": false}
                """);
    }

    @Override
    Map<String, Value> apply(Map<String, Value> inputs, ObjectNode params) throws OperationFailure {
        JsonPath path = JsonPath.parse(params.get("path").textValue());
        JsonNode picked = path.resolve(Values.asJson(inputs.get("json")));
        if (picked.isNull()) throw new OperationFailure("path '" + path + "' is null in this document");
        String text = picked.isTextual() ? picked.textValue() : Json.text(picked);
        return Map.of("value", new Value.Json(picked), "text", new Value.Text(text));
    }
}
