package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped provider LLM slugs (SPEC §13): disabled without their API key variable, and with one they take
 * Segmind's body, call the provider in its own wire format and return its JSON unchanged, charged per token.
 * The providers are a local test server that speaks each provider's protocol (a protocol test, no model).
 */
class ProviderModelsIT {

    static final TestHttpServer provider = new TestHttpServer();
    static final Map<String, JsonNode> requests = new ConcurrentHashMap<>();
    static final Map<String, String> keys = new ConcurrentHashMap<>();
    static HearthServer withoutKeys;
    static HearthServer withKeys;
    static String key;

    static final String OPENAI_ANSWER = """
            {"id": "chatcmpl-1", "object": "chat.completion", "created": 1764115200, "model": "gpt-4o-2024-08-06",
             "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris."}, "finish_reason": "stop"}],
             "usage": {"prompt_tokens": 14, "completion_tokens": 2, "total_tokens": 16}, "system_fingerprint": "fp_test"}""";
    static final String ANTHROPIC_ANSWER = """
            {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-3-haiku-20240307",
             "content": [{"type": "text", "text": "Paris."}], "stop_reason": "end_turn", "stop_sequence": null,
             "usage": {"input_tokens": 20, "output_tokens": 4}}""";
    static final String GEMINI_ANSWER = """
            {"candidates": [{"content": {"parts": [{"text": "Paris."}], "role": "model"}, "finishReason": "STOP", "index": 0}],
             "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 3, "totalTokenCount": 12}, "modelVersion": "gemini-1.5-flash"}""";

    @BeforeAll
    static void start() {
        provider.on("/openai/v1/chat/completions", ex -> {
            requests.put("openai", TestHttpServer.body(ex));
            keys.put("openai", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            TestHttpServer.send(ex, 200, Json.MAPPER.readTree(OPENAI_ANSWER));
        });
        provider.on("/anthropic/v1/messages", ex -> {
            requests.put("anthropic", TestHttpServer.body(ex));
            keys.put("anthropic", ex.getRequestHeaders().getFirst("x-api-key") + " " + ex.getRequestHeaders().getFirst("anthropic-version"));
            TestHttpServer.send(ex, 200, Json.MAPPER.readTree(ANTHROPIC_ANSWER));
        });
        provider.on("/gemini/v1beta/models/", ex -> {
            requests.put("gemini", TestHttpServer.body(ex));
            keys.put("gemini", ex.getRequestHeaders().getFirst("x-goog-api-key") + " " + ex.getRequestURI().getPath());
            TestHttpServer.send(ex, 200, Json.MAPPER.readTree(GEMINI_ANSWER));
        });
        provider.start();
        withoutKeys = HearthServer.start(HearthServer.Store.SQLITE, Map.of(), Map.of(), name -> null);
        Map<String, String> env = Map.of(
                "OPENAI_API_KEY", "sk-test-openai", "OPENAI_BASE_URL", provider.base() + "/openai/v1",
                "ANTHROPIC_API_KEY", "sk-ant-test", "ANTHROPIC_BASE_URL", provider.base() + "/anthropic",
                "GEMINI_API_KEY", "gm-test", "GEMINI_BASE_URL", provider.base() + "/gemini");
        withKeys = HearthServer.start(HearthServer.Store.SQLITE, Map.of(), Map.of(), env::get);
        key = withKeys.createAccount("llm", "pro", "1").get("api_key").asText();
    }

    @AfterAll
    static void stop() {
        withoutKeys.close();
        withKeys.close();
        provider.close();
    }

    @Test
    void withoutTheirKeyTheEntriesShipDisabledAndSaySo() {
        String k = withoutKeys.createAccount("nokey", "pro", "1").get("api_key").asText();
        JsonNode list = withoutKeys.get("/v1/models", k).json().get("data");
        for (String slug : new String[]{"gpt-4o", "claude-3-haiku", "gemini-1.5-flash"}) {
            JsonNode entry = null;
            for (JsonNode e : list) if (e.get("id").asText().equals(slug)) entry = e;
            assertThat(entry).as(slug).isNotNull();
            assertThat(entry.get("premium").asBoolean()).isTrue();
            assertThat(entry.get("pricing").get("type").asText()).isEqualTo("per_token");
            assertThat(entry.get("disabled").asText()).contains("_API_KEY");
            Reply r = withoutKeys.post("/v1/" + slug, k, "{\"prompt\": \"hi\"}");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.json().get("error").asText()).contains("set the environment variable");
        }
        assertThat(withKeys.get("/v1/models", key).json().get("data").findValues("disabled")).isEmpty();
    }

    static BigDecimal credits() {
        JsonNode c = withKeys.get("/v1/get-user-credits", key).json();
        return c.get("credits").decimalValue().add(c.get("free-credits").decimalValue());
    }

    @Test
    void gpt4oGetsOpenAisBodyAndItsJsonComesBackUnchanged() throws Exception {
        BigDecimal before = credits();
        Reply r = withKeys.post("/v1/gpt-4o", key, "{\"prompt\": \"Capital of France?\", \"max_tokens\": 20, \"temperature\": 0.2}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json()).isEqualTo(Json.MAPPER.readTree(OPENAI_ANSWER));
        JsonNode sent = requests.get("openai");
        assertThat(sent.get("model").asText()).isEqualTo("gpt-4o");
        assertThat(sent.get("messages").get(0).get("role").asText()).isEqualTo("user");
        assertThat(sent.get("messages").get(0).get("content").asText()).isEqualTo("Capital of France?");
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(20);
        assertThat(sent.has("prompt")).isFalse();
        assertThat(keys.get("openai")).isEqualTo("Bearer sk-test-openai");
        BigDecimal cost = new BigDecimal("0.00001").multiply(BigDecimal.valueOf(16));
        assertThat(new BigDecimal(r.header("x-cost"))).isEqualByComparingTo(cost);
        assertThat(credits()).isEqualByComparingTo(before.subtract(cost));
        // gpt-4o is OpenAI-shaped, so it is also a chat completions model
        Reply chat = withKeys.post("/v1/chat/completions", key, "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertThat(chat.status()).as(chat.body()).isEqualTo(200);
        assertThat(chat.json().get("system_fingerprint").asText()).isEqualTo("fp_test");
    }

    @Test
    void claudeGetsAnthropicsMessagesBodyAndItsJsonComesBackUnchanged() throws Exception {
        Reply r = withKeys.post("/v1/claude-3-haiku", key, """
                {"messages": [{"role": "system", "content": "Answer in one word."}, {"role": "user", "content": "Capital of France?"}],
                 "max_tokens": 64}""");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json()).isEqualTo(Json.MAPPER.readTree(ANTHROPIC_ANSWER));
        JsonNode sent = requests.get("anthropic");
        assertThat(sent.get("model").asText()).isEqualTo("claude-3-haiku-20240307");
        assertThat(sent.get("system").asText()).isEqualTo("Answer in one word.");
        assertThat(sent.get("messages")).hasSize(1);
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(64);
        assertThat(keys.get("anthropic")).isEqualTo("sk-ant-test 2023-06-01");
        assertThat(new BigDecimal(r.header("x-cost"))).isEqualByComparingTo(new BigDecimal("0.00000125").multiply(BigDecimal.valueOf(24)));
        Reply notChat = withKeys.post("/v1/chat/completions", key, "{\"model\": \"claude-3-haiku\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertThat(notChat.status()).isEqualTo(422);
    }

    @Test
    void geminiGetsGenerateContentAndItsJsonComesBackUnchanged() throws Exception {
        Reply r = withKeys.post("/v1/gemini-1.5-flash", key, """
                {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
                              {"role": "user", "content": "Capital of France?"}], "temperature": 0.5}""");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json()).isEqualTo(Json.MAPPER.readTree(GEMINI_ANSWER));
        JsonNode sent = requests.get("gemini");
        assertThat(sent.get("contents")).hasSize(3);
        assertThat(sent.get("contents").get(1).get("role").asText()).isEqualTo("model");
        assertThat(sent.get("contents").get(2).get("parts").get(0).get("text").asText()).isEqualTo("Capital of France?");
        assertThat(sent.get("generationConfig").get("maxOutputTokens").asInt()).isEqualTo(1024);
        assertThat(sent.get("generationConfig").get("temperature").asDouble()).isEqualTo(0.5);
        assertThat(keys.get("gemini")).isEqualTo("gm-test /gemini/v1beta/models/gemini-1.5-flash:generateContent");
        assertThat(new BigDecimal(r.header("x-cost"))).isEqualByComparingTo(new BigDecimal("0.0000003").multiply(BigDecimal.valueOf(12)));
    }

    @Test
    void aBodyThatIsNeitherMessagesNorPromptIsRefusedBeforeAnythingIsHeld() {
        BigDecimal before = credits();
        ObjectNode bad = Json.object().put("max_tokens", 10);
        assertThat(withKeys.post("/v1/claude-3-haiku", key, bad).status()).isEqualTo(422);
        assertThat(withKeys.post("/v1/gpt-4o", key, "{\"prompt\": \"x\", \"max_tokens\": 100000}").status()).isEqualTo(422);
        assertThat(credits()).isEqualByComparingTo(before);
    }
}
