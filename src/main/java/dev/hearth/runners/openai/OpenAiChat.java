package dev.hearth.runners.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Chat completions on an OpenAI-compatible server. The body goes upstream as the caller wrote it, with the
 * upstream's model name. Without a stream the upstream's JSON is the output, unchanged. With a stream, every
 * event the upstream sends is passed to the caller the moment it arrives (no buffering), and
 * {@code stream_options.include_usage} is asked for so the final chunk carries the token counts; that usage
 * chunk reaches the caller only if the caller asked for it too. Billing units are the upstream's
 * {@code usage.total_tokens}. An upstream that reports no usage is billed what can be counted: a streamed
 * answer its content chunks (one token each on vLLM, llama.cpp and Ollama), a whole answer its content's UTF-8
 * bytes divided by four; the prompt is then not billed.
 */
public final class OpenAiChat implements Runner {

    private final Upstream upstream;
    private final String model;

    public OpenAiChat(Upstream upstream, String model) {
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
        ObjectNode body = in.params().deepCopy();
        body.remove("base64");
        if (model != null) body.put("model", model);
        boolean stream = in.streaming() && body.path("stream").asBoolean(false);
        if (!stream) {
            body.put("stream", false);
            body.remove("stream_options");
            JsonNode answer = upstream.post("/chat/completions", body);
            Long units = usage(answer.get("usage"));
            return new RunOutput.Json(answer, units != null ? units : estimate(answer));
        }
        boolean callerWantsUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        body.withObject("/stream_options").put("include_usage", true);
        return relay(upstream.postForStream("/chat/completions", body), in, callerWantsUsage);
    }

    private RunOutput relay(InputStream events, RunInput in, boolean callerWantsUsage) throws IOException, RunFailure {
        Long units = null;
        long contentChunks = 0;
        long chunks = 0;
        JsonNode usage = null;
        boolean forward = true;
        boolean done = false;
        boolean finished = false;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(events, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.startsWith("data:")) continue;   // comments, event names, blank separators
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    done = true;
                    break;
                }
                JsonNode chunk;
                try {
                    chunk = Json.MAPPER.readTree(data);
                } catch (IOException e) {
                    throw new IOException("the model's server sent an event that is not JSON: " + Upstream.clip(data));
                }
                if (chunk.has("error")) throw new IOException("the model's server failed during the stream: " + Upstream.message(data));
                chunks++;
                JsonNode choices = chunk.path("choices");
                if (!choices.path(0).path("finish_reason").isMissingNode() && !choices.path(0).path("finish_reason").isNull()) finished = true;
                if (!choices.path(0).path("delta").path("content").asText("").isEmpty()) contentChunks++;
                Long u = usage(chunk.get("usage"));
                if (u != null) {
                    units = u;
                    usage = chunk.get("usage");
                }
                boolean usageOnly = u != null && choices.isArray() && choices.isEmpty();
                if (forward && (!usageOnly || callerWantsUsage)) {
                    try {
                        in.events().send(data);
                    } catch (IOException clientGone) {
                        // the caller left: keep reading, so the tokens the server generates are still counted
                        forward = false;
                    }
                }
            }
        }
        if (!done && !finished) throw new IOException("the model's server ended the stream before the answer was finished");
        ObjectNode summary = Json.object().put("object", "chat.completion.stream").put("chunks", chunks).put("client_connected", forward);
        summary.set("usage", usage);
        return new RunOutput.Json(summary, units != null ? units : contentChunks);
    }

    /** Total tokens of an OpenAI usage object, or null when there is none. */
    static Long usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) return null;
        if (usage.path("total_tokens").canConvertToLong()) return usage.path("total_tokens").asLong();
        if (usage.has("prompt_tokens") || usage.has("completion_tokens")) {
            return usage.path("prompt_tokens").asLong(0) + usage.path("completion_tokens").asLong(0);
        }
        return null;
    }

    private static long estimate(JsonNode answer) {
        long bytes = 0;
        for (JsonNode choice : answer.path("choices")) bytes += choice.path("message").path("content").asText("").getBytes(StandardCharsets.UTF_8).length;
        return (bytes + 3) / 4;
    }
}
