package dev.hearth.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import dev.hearth.http.ApiException;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Checks a request body against a model's input JSON Schema (draft 2020-12) before anything is held or run,
 * and fills in the schema's defaults for parameters the caller left out. The 422 message names each failing
 * field by its JSON path.
 */
public final class InputValidator {

    /** Draft 2020-12, plus Hearth's own annotation {@code x-hearth-media} (media inputs, docs/api.md): known, never validated. */
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            Dialect.builder(Dialects.getDraft202012()).keyword(new NonValidationKeyword("x-hearth-media")).build());

    private final ObjectNode schemaNode;
    private final Schema schema;

    public InputValidator(ObjectNode schemaNode) {
        this.schemaNode = schemaNode;
        // compiled once per model; networknt 3.x is built on Jackson 3, the gateway on Jackson 2 (SchemaTrees)
        this.schema = REGISTRY.getSchema(SchemaTrees.of(schemaNode));
    }

    /** Validates and returns a copy of the body with schema defaults applied. */
    public ObjectNode validate(ObjectNode body) {
        List<Error> errors = schema.validate(SchemaTrees.of(body));
        if (!errors.isEmpty()) {
            throw ApiException.invalid("Invalid parameters: " + errors.stream().limit(5).map(InputValidator::describe)
                    .collect(Collectors.joining("; ")));
        }
        ObjectNode withDefaults = body.deepCopy();
        schemaNode.path("properties").fields().forEachRemaining(p -> {
            if (!withDefaults.has(p.getKey()) && p.getValue().has("default")) withDefaults.set(p.getKey(), p.getValue().get("default").deepCopy());
        });
        return withDefaults;
    }

    private static String describe(Error e) {
        String pointer = e.getInstanceLocation() == null ? "" : e.getInstanceLocation().toString();
        String where = jsonPath(pointer);
        String msg = e.getMessage();
        if (msg.startsWith(pointer + ": ")) msg = msg.substring(pointer.length() + 2);
        if (e.getProperty() != null && "required".equals(e.getKeyword())) return where + "." + e.getProperty() + ": is required";
        return where + ": " + msg;
    }

    /** "/input/1" → "$.input[1]": the JSON path form that SPEC §2's 422 messages use. */
    static String jsonPath(String pointer) {
        StringBuilder sb = new StringBuilder("$");
        if (pointer.isEmpty() || pointer.equals("/")) return sb.toString();
        for (String part : pointer.substring(1).split("/", -1)) {
            String p = part.replace("~1", "/").replace("~0", "~");
            if (p.matches("\\d+")) sb.append('[').append(p).append(']');
            else sb.append('.').append(p);
        }
        return sb.toString();
    }
}
