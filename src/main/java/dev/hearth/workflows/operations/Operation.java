package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/**
 * A built-in workflow step that runs in the gateway, priced at zero (SPEC §10): text template, concat, JSON
 * pick, cosine similarity, image resize / crop / convert / composite. Each declares its ports and a JSON
 * Schema for its fixed parameters, so the graph validator and the editor treat it like a model.
 * Implementations are stateless and safe to call from many threads at once.
 */
public interface Operation {

    /** The name used in graph JSON ({@code "operation": "<name>"}), e.g. {@code text_template}. */
    String name();

    /** A short human title for the editor's palette. */
    String title();

    List<Port> inputs();

    List<Port> outputs();

    /** JSON Schema (draft 2020-12) of the node's fixed {@code params}; {@code {"type":"object"}} when none. */
    ObjectNode paramsSchema();

    /**
     * Runs the step. {@code inputs} holds a value for every wired input port (required ones always present),
     * {@code params} the node's validated fixed parameters. Returns a value for every output port.
     *
     * @throws OperationFailure when the inputs cannot be processed (the run fails naming the node)
     */
    Map<String, Value> run(Map<String, Value> inputs, ObjectNode params) throws OperationFailure;
}
