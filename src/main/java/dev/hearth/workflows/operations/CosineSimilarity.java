package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/**
 * {@code cosine_similarity}: a·b / (|a| |b|) of two vectors, e.g. two embeddings, from -1 (opposite) through 0
 * (unrelated) to 1 (same direction). Vectors of different lengths (embeddings of two different models) and zero
 * vectors (no direction) have no similarity: the step fails rather than invent a number.
 */
final class CosineSimilarity extends BuiltInOperation {

    CosineSimilarity() {
        super("cosine_similarity", "Cosine similarity",
                List.of(Port.required("a", PortType.VECTOR), Port.required("b", PortType.VECTOR)),
                List.of(Port.required("similarity", PortType.NUMBER)),
                """
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "additionalProperties": false}
                """);
    }

    @Override
    Map<String, Value> apply(Map<String, Value> inputs, ObjectNode params) throws OperationFailure {
        double[] a = ((Value.Vector) inputs.get("a")).values();
        double[] b = ((Value.Vector) inputs.get("b")).values();
        if (a.length != b.length) {
            throw new OperationFailure("vectors 'a' and 'b' have different lengths (" + a.length + " and " + b.length
                    + "): compare embeddings made by the same model");
        }
        if (a.length == 0) throw new OperationFailure("vectors 'a' and 'b' are empty");
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        if (!Double.isFinite(dot) || !Double.isFinite(na) || !Double.isFinite(nb)) {
            throw new OperationFailure("vectors 'a' and 'b' hold values that are not finite numbers (NaN, infinite or too large)");
        }
        if (na == 0) throw new OperationFailure("vector 'a' is all zeros, so it has no direction to compare");
        if (nb == 0) throw new OperationFailure("vector 'b' is all zeros, so it has no direction to compare");
        // Rounding can push a parallel pair a hair past ±1; the similarity of real vectors is never outside it.
        double similarity = Math.clamp(dot / (Math.sqrt(na) * Math.sqrt(nb)), -1.0, 1.0);
        return Map.of("similarity", new Value.Number(similarity));
    }
}
