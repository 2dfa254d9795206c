package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stand-in for an OpenAI-compatible server (vLLM, llama.cpp, Ollama) for protocol tests. It is no model: it
 * answers "Echo: " and the last user message, one word per token, and counts tokens as words. Streams send
 * one token every {@code tokenDelayMillis}, then the usage chunk when asked, then {@code [DONE]}. A message
 * containing "bad request" is refused with 400; "die midway" breaks the stream after two tokens.
 */
final class ChatUpstream implements AutoCloseable {

    final TestHttpServer http = new TestHttpServer();
    final AtomicReference<JsonNode> lastBody = new AtomicReference<>();
    final AtomicReference<String> lastAuthorization = new AtomicReference<>();
    final AtomicInteger streams = new AtomicInteger();
    /** Set just before the last content token of a stream is written. */
    final AtomicBoolean lastTokenSent = new AtomicBoolean();
    volatile long tokenDelayMillis = 300;

    ChatUpstream() {
        http.on("/v1/models", ex -> TestHttpServer.send(ex, 200, Json.MAPPER.readTree(
                "{\"object\": \"list\", \"data\": [{\"id\": \"tiny-chat\", \"object\": \"model\", \"owned_by\": \"test\"}]}")));
        http.on("/v1/chat/completions", ex -> {
            JsonNode body = TestHttpServer.body(ex);
            lastBody.set(body);
            lastAuthorization.set(ex.getRequestHeaders().getFirst("Authorization"));
            String said = lastUserText(body);
            if (said.contains("bad request")) {
                TestHttpServer.send(ex, 400, Json.MAPPER.readTree("{\"error\": {\"message\": \"bad request from upstream\", \"type\": \"invalid_request_error\"}}"));
                return;
            }
            List<String> tokens = tokens("Echo: " + said);
            long prompt = promptTokens(body);
            ObjectNode usage = Json.object().put("prompt_tokens", prompt).put("completion_tokens", tokens.size())
                    .put("total_tokens", prompt + tokens.size());
            String model = body.path("model").asText();
            if (!body.path("stream").asBoolean(false)) {
                ObjectNode reply = Json.object().put("id", "chatcmpl-test").put("object", "chat.completion").put("created", 1764115200)
                        .put("model", model);
                ObjectNode choice = reply.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
                choice.putObject("message").put("role", "assistant").put("content", String.join("", tokens));
                reply.set("usage", usage);
                TestHttpServer.send(ex, 200, reply);
                return;
            }
            streams.incrementAndGet();
            lastTokenSent.set(false);
            OutputStream out = TestHttpServer.startEvents(ex);
            TestHttpServer.event(out, Json.text(chunk(model, Json.object().put("role", "assistant").put("content", ""), null)));
            for (int i = 0; i < tokens.size(); i++) {
                Thread.sleep(tokenDelayMillis);
                if (said.contains("die midway") && i == 2) return;   // the stream ends with no finish and no [DONE]
                if (i == tokens.size() - 1) lastTokenSent.set(true);
                TestHttpServer.event(out, Json.text(chunk(model, Json.object().put("content", tokens.get(i)), null)));
            }
            TestHttpServer.event(out, Json.text(chunk(model, Json.object(), "stop")));
            if (body.path("stream_options").path("include_usage").asBoolean(false)) {
                ObjectNode last = Json.object().put("id", "chatcmpl-test").put("object", "chat.completion.chunk").put("created", 1764115200).put("model", model);
                last.putArray("choices");
                last.set("usage", usage);
                TestHttpServer.event(out, Json.text(last));
            }
            out.write("data: [DONE]\n\n".getBytes());
            out.flush();
        });
        http.start();
    }

    String baseV1() {
        return http.base() + "/v1";
    }

    static ObjectNode chunk(String model, ObjectNode delta, String finish) {
        ObjectNode c = Json.object().put("id", "chatcmpl-test").put("object", "chat.completion.chunk").put("created", 1764115200).put("model", model);
        ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        if (finish == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", finish);
        return c;
    }

    static String lastUserText(JsonNode body) {
        String said = "";
        for (JsonNode m : body.path("messages")) if (m.path("role").asText().equals("user")) said = m.path("content").asText();
        return said;
    }

    static long promptTokens(JsonNode body) {
        long n = 0;
        for (JsonNode m : body.path("messages")) n += tokens(m.path("content").asText()).size();
        return n;
    }

    /** Words, each with the space before it: "Echo: hi there" → ["Echo:", " hi", " there"]. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        String[] words = text.strip().split("\\s+");
        for (int i = 0; i < words.length; i++) if (!words[i].isEmpty()) out.add(i == 0 ? words[i] : " " + words[i]);
        return out;
    }

    /** A catalog entry serving this upstream through the {@code openai} runner. */
    String catalogEntry(String slug, String price) {
        return """
                slug: %s
                title: %s (protocol test upstream)
                category: llm
                pricing: {type: per_token, price: %s, max_units: 4096}
                runner: {type: openai, base_url: "%s", model: tiny-chat}
                scaling: {slots: 8, execution_timeout: 60, idle_timeout: 300}
                input_schema:
                  type: object
                  required: [messages]
                  properties:
                    messages: {type: array, minItems: 1}
                    max_tokens: {type: integer, minimum: 1}
                    stream: {type: boolean}
                """.formatted(slug, slug, price, baseV1());
    }

    @Override
    public void close() {
        http.close();
    }
}
