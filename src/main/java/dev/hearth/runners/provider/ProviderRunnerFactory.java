package dev.hearth.runners.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.net.Outbound;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;
import dev.hearth.runners.openai.OpenAiChat;
import dev.hearth.runners.openai.OpenAiRunnerFactory;
import dev.hearth.runners.openai.Upstream;

import java.util.function.Function;

/**
 * Runner type {@code provider}: an LLM of a hosted provider, called with Segmind's body ({@code messages} or
 * {@code prompt}, {@code max_tokens}, {@code temperature}, {@code top_p}) and answered with the provider's
 * own JSON, unchanged (SPEC §13: what Segmind's premium LLM slugs return). Parameters: {@code provider}
 * ({@code openai}, {@code anthropic} or {@code gemini}), {@code model} (the provider's model id),
 * {@code api_key_env} (required: the entry is disabled while it is unset), {@code base_url} (default the
 * provider's public API) and {@code base_url_env} (a variable that overrides it: a proxy, a gateway, a test
 * server). Billing units are the tokens the provider reports, prompt and completion together.
 */
public final class ProviderRunnerFactory implements RunnerFactory {

    public static final String TYPE = "provider";

    private final Function<String, String> env;
    private final Outbound http = Upstream.newHttpClient();

    public ProviderRunnerFactory(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) {
        String provider = spec.requiredText("provider");
        spec.requiredText("api_key_env");
        String model = spec.requiredText("model");
        String overrideVar = spec.text("base_url_env", null);
        String override = overrideVar == null ? null : env.apply(overrideVar);
        Runner runner = switch (provider) {
            case "openai" -> {
                Upstream u = OpenAiRunnerFactory.upstream(base(override, spec, "https://api.openai.com/v1"), spec, "Authorization", "Bearer ", env, http);
                yield segmindBody(new OpenAiChat(u, model));
            }
            case "anthropic" -> new Anthropic(OpenAiRunnerFactory.upstream(base(override, spec, "https://api.anthropic.com"), spec,
                    "x-api-key", "", env, http).withHeader("anthropic-version", "2023-06-01"), model);
            case "gemini" -> new Gemini(
                    OpenAiRunnerFactory.upstream(base(override, spec, "https://generativelanguage.googleapis.com"), spec, "x-goog-api-key", "", env, http), model);
            default -> throw new IllegalArgumentException("runner 'provider': 'provider' must be openai, anthropic or gemini, not '" + provider + "'");
        };
        progress.step(provider + " " + model + " at its API (no boot needed)");
        return runner;
    }

    private static String base(String override, RunnerSpec spec, String fallback) {
        return override != null && !override.isBlank() ? override : spec.text("base_url", fallback);
    }

    /** Segmind's {@code prompt} becomes one user message; everything else is OpenAI's own body already. */
    private static Runner segmindBody(OpenAiChat chat) {
        return in -> {
            ObjectNode p = in.params().deepCopy();
            if (!p.has("messages")) p.set("messages", messages(p));
            p.remove("prompt");
            return chat.run(new RunInput(in.requestId(), p, in.seed(), in.media(), in.events()));
        };
    }

    /** The conversation: {@code messages} as given, or {@code prompt} as one user message. */
    static ArrayNode messages(ObjectNode params) throws RunFailure {
        JsonNode m = params.get("messages");
        if (m != null && m.isArray() && !m.isEmpty()) return (ArrayNode) m;
        JsonNode prompt = params.get("prompt");
        if (prompt != null && prompt.isTextual()) {
            ArrayNode one = Json.MAPPER.createArrayNode();
            one.addObject().put("role", "user").put("content", prompt.asText());
            return one;
        }
        throw new RunFailure("give 'messages' (a non-empty list of {role, content}) or 'prompt'");
    }

    /** A message's text: a string, or the text parts of OpenAI's content list. */
    static String text(JsonNode content) {
        if (content == null || content.isNull()) return "";
        if (content.isTextual()) return content.asText();
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) if (part.path("type").asText("text").equals("text")) sb.append(part.path("text").asText(""));
        return sb.toString();
    }

    /** Anthropic's Messages API: system messages move to {@code system}; {@code max_tokens} is required there. */
    static final class Anthropic implements Runner {
        private final Upstream upstream;
        private final String model;

        Anthropic(Upstream upstream, String model) {
            this.upstream = upstream;
            this.model = model;
        }

        @Override
        public RunOutput run(RunInput in) throws Exception {
            ObjectNode p = in.params();
            ObjectNode body = Json.object().put("model", model).put("max_tokens", p.path("max_tokens").asInt(1024));
            StringBuilder system = new StringBuilder();
            ArrayNode messages = body.putArray("messages");
            for (JsonNode m : messages(p)) {
                String role = m.path("role").asText("user");
                if (role.equals("system") || role.equals("developer")) {
                    if (!system.isEmpty()) system.append("\n\n");
                    system.append(text(m.get("content")));
                } else {
                    messages.addObject().put("role", role.equals("assistant") ? "assistant" : "user").put("content", text(m.get("content")));
                }
            }
            if (!system.isEmpty()) body.put("system", system.toString());
            if (p.has("temperature")) body.set("temperature", p.get("temperature"));
            if (p.has("top_p")) body.set("top_p", p.get("top_p"));
            JsonNode answer = upstream.post("/v1/messages", body);
            JsonNode usage = answer.path("usage");
            return new RunOutput.Json(answer, usage.path("input_tokens").asLong(0) + usage.path("output_tokens").asLong(0));
        }
    }

    /** Gemini's generateContent: assistant turns are {@code model} turns; system text is the system instruction. */
    static final class Gemini implements Runner {
        private final Upstream upstream;
        private final String model;

        Gemini(Upstream upstream, String model) {
            this.upstream = upstream;
            this.model = model;
        }

        @Override
        public RunOutput run(RunInput in) throws Exception {
            ObjectNode p = in.params();
            ObjectNode body = Json.object();
            ArrayNode contents = body.putArray("contents");
            StringBuilder system = new StringBuilder();
            for (JsonNode m : messages(p)) {
                String role = m.path("role").asText("user");
                if (role.equals("system") || role.equals("developer")) {
                    if (!system.isEmpty()) system.append("\n\n");
                    system.append(text(m.get("content")));
                    continue;
                }
                ObjectNode c = contents.addObject().put("role", role.equals("assistant") ? "model" : "user");
                c.putArray("parts").addObject().put("text", text(m.get("content")));
            }
            if (!system.isEmpty()) body.putObject("systemInstruction").putArray("parts").addObject().put("text", system.toString());
            ObjectNode config = body.putObject("generationConfig");
            if (p.has("max_tokens")) config.set("maxOutputTokens", p.get("max_tokens"));
            if (p.has("temperature")) config.set("temperature", p.get("temperature"));
            if (p.has("top_p")) config.set("topP", p.get("top_p"));
            JsonNode answer = upstream.post("/v1beta/models/" + model + ":generateContent", body);
            JsonNode usage = answer.path("usageMetadata");
            long units = usage.has("totalTokenCount") ? usage.path("totalTokenCount").asLong()
                    : usage.path("promptTokenCount").asLong(0) + usage.path("candidatesTokenCount").asLong(0);
            return new RunOutput.Json(answer, units);
        }
    }
}
