package dev.hearth.runners.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;

/**
 * Embeddings on an OpenAI-compatible server, answered in the shape of Hearth's built-in embedding models
 * ({@code {"embeddings": [[...]], "dimensions", "tokens"}}), so that {@code POST /v1/{slug}} and
 * {@code POST /v1/embeddings} treat both alike. Billing units are the upstream's prompt tokens.
 */
public final class OpenAiEmbeddings implements Runner {

    private final Upstream upstream;
    private final String model;

    public OpenAiEmbeddings(Upstream upstream, String model) {
        this.upstream = upstream;
        this.model = model;
    }

    /** Its waits are on the upstream's socket: an interrupt ends the call (a timeout, a cancel). */
    @Override
    public boolean endsOnInterrupt() {
        return true;
    }

    @Override
    public RunOutput run(RunInput in) throws Exception {
        ObjectNode params = in.params();
        JsonNode input = params.hasNonNull("text") ? params.get("text") : params.get("input");
        if (input == null || input.isNull()) throw new RunFailure("the text to embed is missing: give 'text' or 'input'");
        ObjectNode body = Json.object().put("encoding_format", "float");
        if (model != null) body.put("model", model);
        body.set("input", input);
        JsonNode answer = upstream.post("/embeddings", body);
        JsonNode data = answer.path("data");
        JsonNode[] ordered = new JsonNode[data.size()];
        for (JsonNode d : data) {
            int i = d.path("index").asInt(-1);
            if (i < 0 || i >= ordered.length || ordered[i] != null) throw new java.io.IOException("the model's server answered embeddings with bad indexes");
            ordered[i] = d.path("embedding");
        }
        ObjectNode out = Json.object();
        ArrayNode vectors = out.putArray("embeddings");
        for (JsonNode v : ordered) {
            if (!v.isArray()) throw new java.io.IOException("the model's server answered an embedding that is not a list of numbers");
            vectors.add(v);
        }
        long tokens = answer.path("usage").path("prompt_tokens").asLong(0);
        out.put("dimensions", ordered.length == 0 ? 0 : ordered[0].size());
        out.put("tokens", tokens);
        return new RunOutput.Json(out, tokens);
    }
}
