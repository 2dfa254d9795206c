package dev.hearth.workflows.operations;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.InputValidator;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;

import java.util.List;
import java.util.Map;

/**
 * What every built-in operation shares: its fixed description (name, title, ports, params schema) and a run
 * that checks the params against that schema before doing anything. The engine validates params when a graph
 * is saved; checking again here costs microseconds and means an operation never runs on params it did not
 * declare (a graph saved before a schema changed, a caller that skipped validation), and that defaults are
 * filled in the same way as a model's.
 */
abstract class BuiltInOperation implements Operation {

    private final String name;
    private final String title;
    private final List<Port> inputs;
    private final List<Port> outputs;
    private final ObjectNode paramsSchema;
    private final InputValidator validator;

    BuiltInOperation(String name, String title, List<Port> inputs, List<Port> outputs, String paramsSchema) {
        this.name = name;
        this.title = title;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.paramsSchema = parse(paramsSchema);
        this.validator = new InputValidator(this.paramsSchema);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String title() {
        return title;
    }

    @Override
    public final List<Port> inputs() {
        return inputs;
    }

    @Override
    public final List<Port> outputs() {
        return outputs;
    }

    /** A copy: callers (the editor's palette, the graph validator) may not change the operation's schema. */
    @Override
    public final ObjectNode paramsSchema() {
        return paramsSchema.deepCopy();
    }

    @Override
    public final Map<String, Value> run(Map<String, Value> inputs, ObjectNode params) throws OperationFailure {
        ObjectNode checked;
        try {
            checked = validator.validate(params == null ? Json.object() : params);
        } catch (ApiException e) {
            throw new OperationFailure(e.getMessage());
        }
        for (Port p : this.inputs) {
            Value v = inputs.get(p.name());
            if (v == null && p.required()) throw new OperationFailure("input '" + p.name() + "' is required but not wired");
            if (v != null && v.type() != p.type() && p.type() != PortType.JSON) {
                throw new OperationFailure("input '" + p.name() + "' expects " + p.type().wire() + " but received " + v.type().wire());
            }
        }
        return apply(inputs, checked);
    }

    /** The operation itself, on inputs whose types match the ports and params valid against the schema (defaults filled). */
    abstract Map<String, Value> apply(Map<String, Value> inputs, ObjectNode params) throws OperationFailure;

    private static ObjectNode parse(String schema) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(schema);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("built-in params schema is not a JSON object: " + schema, e);
        }
    }
}
