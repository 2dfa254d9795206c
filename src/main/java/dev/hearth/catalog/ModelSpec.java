package dev.hearth.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.billing.Pricing;
import dev.hearth.runners.RunnerSpec;

/**
 * One catalog entry, as written in a model YAML file: what the model is, what it takes (a JSON Schema),
 * what it returns, what it costs, what runs it and how it scales.
 */
public record ModelSpec(String slug, String title, String category, String description, String ownedBy, long created,
                        String output, boolean premium, boolean retired, String disabledReason, Pricing pricing,
                        RunnerSpec runner, Scaling scaling, ObjectNode inputSchema) {

    public boolean takesSeed() {
        return inputSchema.path("properties").has("seed");
    }

    public boolean enabled() {
        return disabledReason == null;
    }

    static ModelSpec parse(JsonNode n, String source) {
        return parse(n, source, System::getenv);
    }

    /**
     * {@code env} resolves the runner's {@code api_key_env}: an entry whose key variable is unset ships
     * disabled, with the reason saying which variable to set (provider models, SPEC §13).
     */
    static ModelSpec parse(JsonNode n, String source, java.util.function.Function<String, String> env) {
        String slug = n.path("slug").asText(null);
        if (slug == null || !Slugs.isValid(slug)) throw new IllegalArgumentException(source + ": slug missing or not a valid slug (" + slug + ")");
        if (Slugs.isReserved(slug)) throw new IllegalArgumentException(source + ": slug '" + slug + "' is reserved");
        JsonNode schema = n.path("input_schema");
        if (!schema.isObject()) throw new IllegalArgumentException(source + ": model " + slug + " has no input_schema object");
        JsonNode runner = n.path("runner");
        if (!runner.path("type").isTextual()) throw new IllegalArgumentException(source + ": model " + slug + " has no runner.type");
        ObjectNode runnerParams = ((ObjectNode) runner).deepCopy();
        runnerParams.remove("type");
        String disabled = n.path("disabled").isTextual() ? n.path("disabled").asText() : null;
        String keyVar = runnerParams.path("api_key_env").asText("");
        if (disabled == null && !keyVar.isBlank()) {
            String key = env.apply(keyVar);
            if (key == null || key.isBlank()) disabled = "needs an API key: set the environment variable " + keyVar + " and restart Hearth";
        }
        Scaling scaling = Scaling.parse(n.path("scaling"), source + ": model " + slug);
        RunnerSpec.Instances instances = new RunnerSpec.Instances(scaling.minInstances(), scaling.maxInstances(), scaling.slots(),
                scaling.idleTimeoutSeconds());
        return new ModelSpec(slug, n.path("title").asText(slug), n.path("category").asText("other"), n.path("description").asText(""),
                n.path("owned_by").asText("hearth"), n.path("created").asLong(0), n.path("output").asText("application/json"),
                n.path("premium").asBoolean(false), n.path("retired").asBoolean(false), disabled,
                Pricing.parse(slug, n.path("pricing")), new RunnerSpec(runner.path("type").asText(), runnerParams, instances, n.path("output").asText("application/json")),
                scaling, (ObjectNode) schema);
    }
}
