package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.hearth.http.Json;
import dev.hearth.webhooks.WebhookSigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * X-Webhook-Url on v2 (SPEC §3.2): the final result is POSTed with Standard Webhooks headers a client can
 * verify with its secret, a failing receiver gets retries, and a URL the address guard refuses is 422 at submit.
 * The receiver listens on loopback, which this test's operator allows (net.allow); the default refuses it.
 */
class WebhooksIT {

    record Hit(Map<String, List<String>> headers, String body) {
    }

    static HearthServer server;
    static HttpServer receiver;
    static final List<Hit> hits = new CopyOnWriteArrayList<>();
    static final AtomicInteger failuresLeft = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            hits.add(new Hit(Map.copyOf(ex.getRequestHeaders()), body));
            int code = failuresLeft.getAndDecrement() > 0 ? 500 : 204;
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        receiver.start();
        server = HearthServer.start(HearthServer.Store.SQLITE,
                Map.of("net.allow", "127.0.0.1/32", "webhooks.first_retry_ms", "200"), Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.stop(0);
    }

    private HttpResponse<String> submit(String key, String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.base + "/v2/bge-small-en-v1.5"))
                .header("x-api-key", key).header("Content-Type", "application/json").header("X-Webhook-Url", url)
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"hook me\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theResultArrivesSignedAfterRetries() throws Exception {
        hits.clear();
        failuresLeft.set(2);
        String key = server.createAccount("hooks", "pro", "1").get("api_key").asText();
        String secret = server.get("/v1/webhook-secret", key).json().get("secret").asText();
        assertThat(secret).startsWith("whsec_");
        HttpResponse<String> r = submit(key, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String id = Json.MAPPER.readTree(r.body()).get("request_id").asText();

        await().atMost(Duration.ofSeconds(60)).until(() -> hits.size() >= 3);
        Hit last = hits.get(2);
        JsonNode body = Json.MAPPER.readTree(last.body());
        assertThat(body.get("request_id").asText()).isEqualTo(id);
        assertThat(body.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(body.get("output").get("embeddings")).hasSize(1);
        String webhookId = header(last, "webhook-id");
        String timestamp = header(last, "webhook-timestamp");
        // what a client does: recompute the signature with its secret and compare
        assertThat(header(last, "webhook-signature")).isEqualTo(WebhookSigner.sign(secret, webhookId, Long.parseLong(timestamp), last.body()));
        assertThat(WebhookSigner.sign(WebhookSigner.newSecret(), webhookId, Long.parseLong(timestamp), last.body()))
                .isNotEqualTo(header(last, "webhook-signature"));
        // every retry carries the same webhook-id, and every attempt is recorded
        assertThat(hits).extracting(h -> header(h, "webhook-id")).containsOnly(webhookId);
        assertThat(server.app.webhooks().attemptCodes(webhookId)).containsExactly(500, 500, 204);
        Thread.sleep(1000);
        assertThat(hits).hasSize(3);

        String rotated = server.post("/v1/webhook-secret/rotate", key, "{}").json().get("secret").asText();
        assertThat(rotated).startsWith("whsec_").isNotEqualTo(secret);
    }

    @Test
    void aWebhookUrlTheGuardRefusesIs422AtSubmitAndNothingIsHeld() throws Exception {
        JsonNode acc = server.createAccount("hooks-refused", "pro", "1");
        String key = acc.get("api_key").asText();
        for (String url : List.of("http://169.254.169.254/latest/meta-data", "http://10.0.0.1/hook", "file:///etc/passwd", "http://[::1]:9/x")) {
            HttpResponse<String> r = submit(key, url);
            assertThat(r.statusCode()).as(url + " " + r.body()).isEqualTo(422);
            assertThat(r.body()).contains("X-Webhook-Url");
        }
        assertThat(server.app.ledger.balance(acc.get("account_id").asText()).held()).isZero();
    }

    private static String header(Hit h, String name) {
        return h.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst().map(e -> e.getValue().get(0)).orElse(null);
    }
}
