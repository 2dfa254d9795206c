package dev.hearth.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.AccessLog;
import dev.hearth.http.ApiException;
import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.JsonBody;
import dev.hearth.http.Replies;
import dev.hearth.jobs.CallResult;
import dev.hearth.jobs.ModelCall;
import dev.hearth.jobs.ModelCalls;
import dev.hearth.jobs.ModelRoutes;
import dev.hearth.jobs.Surface;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.embedding.EmbeddingEncoding;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/**
 * OpenAI's {@code POST /v1/embeddings} over the same pipeline as {@code POST /v1/{slug}} (SPEC §11): the
 * body is translated to the model's Segmind-style parameters, and the model's vectors back into OpenAI's
 * response shape, as floats or as base64 little-endian float32 (what OpenAI's SDKs ask for by default).
 */
public final class EmbeddingsRoute implements HttpService {

    private final Caller caller;
    private final ModelCalls calls;
    private final JsonBody body;
    private final Catalog catalog;

    public EmbeddingsRoute(Caller caller, ModelCalls calls, Catalog catalog, JsonBody body) {
        this.caller = caller;
        this.calls = calls;
        this.catalog = catalog;
        this.body = body;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/embeddings", (req, res) -> {
            var principal = caller.of(req);
            ObjectNode b = body.read(req);
            JsonNode model = b.get("model");
            if (model == null || !model.isTextual()) throw ApiException.invalid("$.model: is required and must be a model id from GET /v1/models");
            AccessLog.noteModel(req, model.asText());
            JsonNode input = b.get("input");
            if (input == null || !(input.isTextual() || input.isArray())) throw ApiException.invalid("$.input: must be a string or an array of strings");
            if (input.isArray()) {
                for (int i = 0; i < input.size(); i++) {
                    if (!input.get(i).isTextual()) throw ApiException.invalid("$.input[" + i + "]: must be a string (token arrays are not supported)");
                }
            }
            String format = b.path("encoding_format").asText("float");
            if (!format.equals("float") && !format.equals("base64")) throw ApiException.invalid("$.encoding_format: must be \"float\" or \"base64\"");

            if (b.has("dimensions")) {
                // OpenAI's text-embedding-3 models were trained so that a vector's first n values still work; the
                // BERT-style models Hearth serves were not, so shortening their vectors would quietly spoil them
                JsonNode d = b.get("dimensions");
                throw ApiException.invalid("$.dimensions: " + (d.canConvertToInt() && d.isIntegralNumber() && d.asInt() > 0
                        ? "Hearth's embedding models make vectors of their own fixed size and cannot shorten them to " + d.asInt() + "; omit dimensions"
                        : "must be a positive integer, and Hearth's embedding models cannot shorten their vectors anyway; omit dimensions"));
            }
            // refused before the call: a model that makes no vectors would be run and charged, then refused
            ModelSpec spec = catalog.find(model.asText());
            if (spec != null && !spec.category().equals("embeddings")) {
                throw ApiException.invalid("$.model: '" + model.asText() + "' is not an embedding model (its category is " + spec.category() + ")");
            }
            ObjectNode params = Json.object();
            params.set("input", input);
            // the admission chain refuses a model that is not an embedding model before anything is held
            CallResult r = calls.call(new ModelCall(principal, model.asText(), params, null, false, null, null, Surface.EMBEDDINGS));
            if (!(r.output() instanceof RunOutput.Json out) || !out.body().has("embeddings")) {
                // declared an embedding model but answered something else: the model failed (SPEC §2: 500)
                throw new ApiException(500, "Model '" + model.asText() + "' answered without embeddings");
            }
            ModelRoutes.writeHeaders(res, r);
            Replies.ok(res, openAiShape(model.asText(), out.body(), format.equals("base64")));
        });
    }

    static ObjectNode openAiShape(String model, JsonNode out, boolean base64) {
        ArrayNode data = Json.MAPPER.createArrayNode();
        JsonNode vectors = out.get("embeddings");
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            if (base64) item.put("embedding", EmbeddingEncoding.base64(floats(vectors.get(i))));
            else item.set("embedding", vectors.get(i));
        }
        long tokens = out.path("tokens").asLong(0);
        ObjectNode reply = Json.object().put("object", "list");
        reply.set("data", data);
        reply.put("model", model);
        reply.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return reply;
    }

    private static float[] floats(JsonNode vector) {
        float[] f = new float[vector.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) vector.get(i).asDouble();
        return f;
    }
}
