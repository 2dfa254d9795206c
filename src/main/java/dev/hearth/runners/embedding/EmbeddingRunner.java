package dev.hearth.runners.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.runners.BatchRunner;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;

import java.util.ArrayList;
import java.util.List;

/**
 * Answers an embedding request. Takes Segmind's {@code {"text": "..."}} or OpenAI's {@code {"input": "..."}} /
 * {@code {"input": ["...", ...]}} and returns {@code {"embeddings": [[...], ...], "dimensions": n, "tokens": t}},
 * one vector per text in order, billed per token read. Takes lists: the lane may gather several callers' calls
 * into one {@link #runBatch} (one padded ONNX run with the catalog's {@code paddedBatches}, else one run per
 * text on one thread).
 */
final class EmbeddingRunner implements BatchRunner {

    private final TextEmbedder embedder;

    EmbeddingRunner(TextEmbedder embedder) {
        this.embedder = embedder;
    }

    @Override
    public RunOutput run(RunInput input) throws Exception {
        return output(embedder.embed(texts(input.params())));
    }

    @Override
    public List<RunOutput> runBatch(List<RunInput> inputs) throws Exception {
        List<List<String>> groups = new ArrayList<>(inputs.size());
        for (RunInput input : inputs) groups.add(texts(input.params()));
        List<RunOutput> outputs = new ArrayList<>(inputs.size());
        for (Embeddings each : embedder.embedEach(groups)) outputs.add(output(each));
        return outputs;
    }

    /** A call's share of a batch's time follows the tokens it read (at least 1: an empty text still ran). */
    @Override
    public long weight(RunOutput output) {
        return output instanceof RunOutput.Json json ? Math.max(1, json.billableUnits()) : 1;
    }

    private RunOutput output(Embeddings embeddings) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode vectors = body.putArray("embeddings");
        for (float[] vector : embeddings.vectors()) {
            ArrayNode numbers = vectors.addArray();
            for (float v : vector) numbers.add(v);
        }
        body.put("dimensions", embedder.dimensions());
        body.put("tokens", embeddings.tokens());
        return new RunOutput.Json(body, embeddings.tokens());
    }

    /** The schema has validated the request already; these checks only keep a wrong schema from failing obscurely. */
    static List<String> texts(ObjectNode params) throws RunFailure {
        JsonNode text = params.get("text");
        JsonNode input = params.get("input");
        boolean hasText = text != null && !text.isNull();
        boolean hasInput = input != null && !input.isNull();
        if (hasText && hasInput) throw new RunFailure("give either 'text' or 'input', not both");
        if (hasText) return List.of(string(text, "text"));
        if (!hasInput) throw new RunFailure("the text to embed is missing: give 'text' or 'input'");
        if (!input.isArray()) return List.of(string(input, "input"));
        if (input.isEmpty()) throw new RunFailure("'input' is an empty array: give at least one text");
        List<String> texts = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) texts.add(string(input.get(i), "input[" + i + "]"));
        return texts;
    }

    private static String string(JsonNode node, String name) throws RunFailure {
        if (!node.isTextual()) throw new RunFailure("'" + name + "' must be a string");
        return node.textValue();
    }

    @Override
    public void close() throws Exception {
        embedder.close();
    }
}
