package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/{slug}} for a model behind the {@code openai} runner,
 * against a local OpenAI-compatible test server (a protocol test: the upstream echoes, it is no model).
 * Streams must reach the client token by token, and every call must be charged the upstream's token count.
 */
class ChatCompletionsIT {

    static final String PRICE = "0.000001";
    static ChatUpstream upstream;
    static HearthServer server;
    static String key;
    static String accountId;

    @BeforeAll
    static void start() throws Exception {
        upstream = new ChatUpstream();
        Path catalog = Files.createTempDirectory("hearth-chat");
        Files.writeString(catalog.resolve("tiny-chat.yaml"), upstream.catalogEntry("tiny-chat", PRICE));
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", catalog.toString()), Map.of());
        JsonNode acc = server.createAccount("chatter", "pro", "1");
        key = acc.get("api_key").asText();
        accountId = acc.get("account_id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
        upstream.close();
    }

    static BigDecimal credits() {
        JsonNode c = server.get("/v1/get-user-credits", key).json();
        return c.get("credits").decimalValue().add(c.get("free-credits").decimalValue());
    }

    static BigDecimal tokenCost(long tokens) {
        return new BigDecimal(PRICE).multiply(BigDecimal.valueOf(tokens));
    }

    @Test
    void aWholeAnswerIsTheUpstreamsJsonAndIsChargedItsTokens() {
        BigDecimal before = credits();
        Reply r = server.post("/v1/chat/completions", key,
                "{\"model\": \"tiny-chat\", \"messages\": [{\"role\": \"user\", \"content\": \"hello there\"}], \"max_tokens\": 50}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.get("object").asText()).isEqualTo("chat.completion");
        assertThat(j.get("choices").get(0).get("message").get("content").asText()).isEqualTo("Echo: hello there");
        long total = j.get("usage").get("total_tokens").asLong();
        assertThat(total).isEqualTo(2 + 3);
        assertThat(new BigDecimal(r.header("x-cost"))).isEqualByComparingTo(tokenCost(total));
        assertThat(credits()).isEqualByComparingTo(before.subtract(tokenCost(total)));
        // the upstream got its own model name and no stream
        assertThat(upstream.lastBody.get().get("model").asText()).isEqualTo("tiny-chat");
        assertThat(upstream.lastBody.get().get("stream").asBoolean()).isFalse();
        // and the Segmind-style route answers the same JSON
        Reply v1 = server.post("/v1/tiny-chat", key, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertThat(v1.status()).as(v1.body()).isEqualTo(200);
        assertThat(v1.json().get("choices").get(0).get("message").get("content").asText()).isEqualTo("Echo: hi");
    }

    /** Events as they arrive, each with whether the upstream had already sent its last token at that moment. */
    record Event(String data, boolean upstreamHadFinished) {
    }

    static List<Event> stream(String body, List<String> headersOut) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.base + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
        headersOut.add(String.valueOf(r.statusCode()));
        headersOut.add(r.headers().firstValue("content-type").orElse(""));
        headersOut.add(r.headers().firstValue("x-request-id").orElse(""));
        List<Event> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("data: ")) events.add(new Event(line.substring(6), upstream.lastTokenSent.get()));
            }
        }
        return events;
    }

    @Test
    void aStreamReachesTheClientTokenByTokenBeforeTheUpstreamHasFinishedAndIsChargedItsUsage() throws Exception {
        BigDecimal before = credits();
        List<String> head = new ArrayList<>();
        List<Event> events = stream("{\"model\": \"tiny-chat\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"one two three four five\"}]}", head);
        assertThat(head.get(0)).isEqualTo("200");
        assertThat(head.get(1)).startsWith("text/event-stream");
        assertThat(head.get(2)).matches("[0-9a-f-]{36}");
        List<Event> content = events.stream().filter(e -> !e.data().equals("[DONE]"))
                .filter(e -> !content(e.data()).isEmpty()).toList();
        assertThat(content).hasSize(6);   // "Echo:" + five words
        // ordering, not absolute time: the first token was read while the upstream still had tokens to send
        assertThat(content.getFirst().upstreamHadFinished()).isFalse();
        assertThat(content.getLast().upstreamHadFinished()).isTrue();
        assertThat(events.getLast().data()).isEqualTo("[DONE]");
        // the caller did not ask for usage: the usage chunk Hearth asked for is not passed on
        assertThat(events).noneMatch(e -> e.data().contains("\"usage\""));
        assertThat(upstream.lastBody.get().get("stream_options").get("include_usage").asBoolean()).isTrue();
        long total = 5 + 6;
        assertThat(credits()).isEqualByComparingTo(before.subtract(tokenCost(total)));
        server.app.usage().flush();
        Integer status = server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT status_code FROM usage_records WHERE request_id = :id")
                .bind("id", head.get(2)).mapTo(Integer.class).one());
        assertThat(status).isEqualTo(200);
    }

    static String content(String data) {
        try {
            return Json.MAPPER.readTree(data).path("choices").path(0).path("delta").path("content").asText("");
        } catch (java.io.IOException e) {
            throw new AssertionError("an event that is not JSON: " + data, e);
        }
    }

    @Test
    void aStreamThatAsksForUsageGetsTheUsageChunk() throws Exception {
        List<String> head = new ArrayList<>();
        List<Event> events = stream("{\"model\": \"tiny-chat\", \"stream\": true, \"stream_options\": {\"include_usage\": true},"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", head);
        JsonNode usage = Json.MAPPER.readTree(events.get(events.size() - 2).data());
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.get("usage").get("total_tokens").asLong()).isEqualTo(1 + 2);
    }

    @Test
    void anUpstreamThatBreaksMidStreamEndsWithAnErrorEventAndIsNotCharged() throws Exception {
        BigDecimal before = credits();
        List<String> head = new ArrayList<>();
        List<Event> events = stream("{\"model\": \"tiny-chat\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"die midway please now\"}]}", head);
        assertThat(head.get(0)).isEqualTo("200");
        JsonNode last = Json.MAPPER.readTree(events.getLast().data());
        assertThat(last.get("error").get("message").asText()).contains("ended the stream before the answer was finished");
        assertThat(credits()).isEqualByComparingTo(before);
        assertThat(server.app.ledger.balance(accountId).held()).isZero();
    }

    @Test
    void refusalsBeforeAnythingRunsAreOrdinaryJsonErrorsAndChangeNothing() {
        BigDecimal before = credits();
        Reply refused = server.post("/v1/chat/completions", key,
                "{\"model\": \"tiny-chat\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"a bad request\"}]}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("error").asText()).contains("bad request from upstream");
        assertThat(server.post("/v1/chat/completions", key, "{\"messages\": []}").status()).isEqualTo(422);
        assertThat(server.post("/v1/chat/completions", key, "{\"model\": \"tiny-chat\"}").status()).isEqualTo(422);
        assertThat(server.post("/v1/chat/completions", key, "{\"model\": \"nope\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}").status()).isEqualTo(404);
        Reply notChat = server.post("/v1/chat/completions", key, "{\"model\": \"bge-small-en-v1.5\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}");
        assertThat(notChat.status()).isEqualTo(422);
        assertThat(notChat.json().get("error").asText()).contains("POST /v1/bge-small-en-v1.5");
        assertThat(server.post("/v1/chat/completions", null, "{}").status()).isEqualTo(401);
        // a chat model at /v1/embeddings is refused by the surface check, before its body is validated or anything held
        Reply notEmbedding = server.post("/v1/embeddings", key, "{\"model\": \"tiny-chat\", \"input\": \"x\"}");
        assertThat(notEmbedding.status()).isEqualTo(422);
        assertThat(notEmbedding.json().get("error").asText()).contains("'tiny-chat' is not an embedding model");
        assertThat(credits()).isEqualByComparingTo(before);
        assertThat(server.app.ledger.balance(accountId).held()).isZero();
    }
}
