package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code cog} runner against a local server that speaks Cog's HTTP protocol (a protocol test: the server
 * returns a picture the test drew, it is no model): readiness, idempotent PUT, 409 → wait for a slot, file
 * outputs as data URLs and URLs, {@code predict_time} billing, cancel on timeout, failed setup and predictions.
 */
class CogRunnerIT {

    /** A Cog-protocol server with one prediction slot, like a default Cog container. */
    static final class FakeCog implements AutoCloseable {
        final TestHttpServer http = new TestHttpServer();
        final long readyAt;
        final String setupFailure;
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final AtomicInteger conflicts = new AtomicInteger();
        final Set<String> canceled = ConcurrentHashMap.newKeySet();
        final Set<String> ids = ConcurrentHashMap.newKeySet();

        FakeCog(long startingMillis, String setupFailure) {
            this.readyAt = System.nanoTime() + startingMillis * 1_000_000;
            this.setupFailure = setupFailure;
            http.on("/health-check", ex -> {
                ObjectNode h = Json.object();
                if (setupFailure != null) h.put("status", "SETUP_FAILED").putObject("setup").put("status", "failed").put("logs", setupFailure);
                else if (System.nanoTime() < readyAt) h.put("status", "STARTING").putObject("setup").put("status", "starting").put("logs", "");
                else h.put("status", running.get() > 0 ? "BUSY" : "READY").putObject("setup").put("status", "succeeded").put("logs", "");
                TestHttpServer.send(ex, 200, h);
            });
            http.on("/files/", ex -> {
                byte[] png = PNG;
                ex.getResponseHeaders().set("Content-Type", "image/png");
                ex.sendResponseHeaders(200, png.length);
                ex.getResponseBody().write(png);
            });
            http.on("/predictions/", ex -> {
                String[] parts = ex.getRequestURI().getPath().split("/");
                String id = parts[2];
                if (parts.length == 4 && parts[3].equals("cancel")) {
                    canceled.add(id);
                    TestHttpServer.send(ex, ids.contains(id) ? 200 : 404, Json.object());
                    return;
                }
                JsonNode body = TestHttpServer.body(ex);
                if (!ex.getRequestMethod().equals("PUT") || !id.equals(body.path("id").asText())) {
                    TestHttpServer.send(ex, 422, Json.object().put("detail", "expected PUT with the id in the URL and the body"));
                    return;
                }
                JsonNode input = body.path("input");
                if (input.path("mode").asText().equals("invalid")) {
                    TestHttpServer.send(ex, 422, Json.MAPPER.readTree(
                            "{\"detail\": [{\"loc\": [\"body\", \"input\", \"steps\"], \"msg\": \"ensure this value is less than or equal to 50\", \"type\": \"value_error\"}]}"));
                    return;
                }
                if (running.incrementAndGet() > 1) {
                    running.decrementAndGet();
                    conflicts.incrementAndGet();
                    TestHttpServer.send(ex, 409, Json.object().put("detail", "Already running a prediction"));
                    return;
                }
                maxRunning.accumulateAndGet(running.get(), Math::max);
                ids.add(id);
                try {
                    long until = System.nanoTime() + input.path("sleep_ms").asLong(300) * 1_000_000;
                    while (System.nanoTime() < until && !canceled.contains(id)) Thread.sleep(10);
                    ObjectNode p = Json.object().put("id", id);
                    if (canceled.contains(id)) {
                        TestHttpServer.send(ex, 200, p.put("status", "canceled"));
                        return;
                    }
                    switch (input.path("mode").asText("image")) {
                        case "fail" -> p.put("status", "failed").put("error", "CUDA out of memory (scripted)");
                        case "url" -> p.put("status", "succeeded").put("output", http.base() + "/files/out.png");
                        case "json" -> p.put("status", "succeeded").set("output", input);
                        default -> p.put("status", "succeeded").putArray("output").add("data:image/png;base64," + Base64.getEncoder().encodeToString(PNG));
                    }
                    p.putObject("metrics").put("predict_time", 0.25);
                    TestHttpServer.send(ex, 200, p);
                } finally {
                    running.decrementAndGet();
                }
            });
            http.start();
        }

        @Override
        public void close() {
            http.close();
        }
    }

    static final byte[] PNG = png();
    static FakeCog cog;
    static FakeCog broken;
    static HearthServer server;
    static String key;

    static byte[] png() {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) img.setRGB(x, y, (x * 16) << 16 | (y * 16) << 8 | 128);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    @BeforeAll
    static void start() throws IOException {
        cog = new FakeCog(1500, null);
        broken = new FakeCog(0, "Traceback: torch.cuda.OutOfMemoryError while loading weights");
        Path catalog = Files.createTempDirectory("hearth-cog");
        String schema = """
                input_schema:
                  type: object
                  properties:
                    prompt: {type: string}
                    base64: {type: boolean}
                    mode: {type: string}
                    sleep_ms: {type: integer}
                """;
        Files.writeString(catalog.resolve("cog-image.yaml"), """
                slug: cog-image
                output: image/png
                pricing: {type: per_second, price: 0.001}
                runner: {type: cog, url: "%s"}
                scaling: {slots: 2, execution_timeout: 3}
                """.formatted(cog.http.base()) + schema);
        Files.writeString(catalog.resolve("cog-json.yaml"), """
                slug: cog-json
                pricing: {type: per_call, price: 0.01}
                runner: {type: cog, urls: ["%s"], rename: {prompt: caption}}
                """.formatted(cog.http.base()) + schema);
        Files.writeString(catalog.resolve("cog-broken.yaml"), """
                slug: cog-broken
                output: image/png
                pricing: {type: per_call, price: 0.01}
                runner: {type: cog, url: "%s"}
                """.formatted(broken.http.base()) + schema);
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", catalog.toString()), Map.of());
        key = server.createAccount("cog", "enterprise", "10").get("api_key").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
        cog.close();
        broken.close();
    }

    static BigDecimal credits() {
        JsonNode c = server.get("/v1/get-user-credits", key).json();
        return c.get("credits").decimalValue().add(c.get("free-credits").decimalValue());
    }

    static HttpResponse<byte[]> postBytes(String slug, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.base + "/v1/" + slug))
                .header("x-api-key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void theFirstCallWaitsForReadinessAndGetsTheFileBilledByTheReportedPredictTime() throws Exception {
        HttpResponse<byte[]> r = postBytes("cog-image", "{\"prompt\": \"a gradient\", \"sleep_ms\": 400}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("image/png");
        assertThat(r.body()).isEqualTo(PNG);
        // 0.25 s reported by the worker, although the call took longer: $0.001 per second
        assertThat(r.headers().firstValue("x-generation-time")).hasValue("0.250");
        assertThat(new BigDecimal(r.headers().firstValue("x-cost").orElseThrow())).isEqualByComparingTo("0.00025");
        JsonNode status = server.get("/v1/models/cog-image", key).json();
        assertThat(status.get("status").asText()).isEqualTo("warm");
        assertThat(status.get("instances").asInt()).isEqualTo(1);

        HttpResponse<byte[]> viaUrl = postBytes("cog-image", "{\"mode\": \"url\", \"sleep_ms\": 10}");
        assertThat(viaUrl.statusCode()).isEqualTo(200);
        assertThat(viaUrl.body()).isEqualTo(PNG);

        // a JSON output comes back as the worker wrote it; the input went with the catalog's names renamed
        Reply json = server.post("/v1/cog-json", key, "{\"mode\": \"json\", \"sleep_ms\": 10, \"prompt\": \"x\", \"base64\": true}");
        assertThat(json.status()).as(json.body()).isEqualTo(200);
        assertThat(json.json().get("caption").asText()).isEqualTo("x");
        assertThat(json.json().has("prompt")).isFalse();
        assertThat(json.json().has("base64")).isFalse();
    }

    @Test
    void aBusyWorkerAnswers409AndTheJobWaitsForTheSlot() throws Exception {
        int conflictsBefore = cog.conflicts.get();
        List<CompletableFuture<HttpResponse<byte[]>>> calls = List.of(
                CompletableFuture.supplyAsync(() -> call("{\"sleep_ms\": 600}")),
                CompletableFuture.supplyAsync(() -> call("{\"sleep_ms\": 600}")));
        for (var c : calls) {
            assertThat(c.get().statusCode()).as(new String(c.get().body())).isEqualTo(200);
            assertThat(c.get().body()).isEqualTo(PNG);
        }
        assertThat(cog.conflicts.get()).isGreaterThan(conflictsBefore);
        assertThat(cog.maxRunning.get()).isEqualTo(1);
    }

    static HttpResponse<byte[]> call(String body) {
        try {
            return postBytes("cog-image", body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void failedPredictionsAndRefusedInputsAreNotCharged() {
        BigDecimal before = credits();
        Reply failed = server.post("/v1/cog-image", key, "{\"mode\": \"fail\", \"sleep_ms\": 10}");
        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.json().get("error").asText()).contains("CUDA out of memory");
        Reply invalid = server.post("/v1/cog-image", key, "{\"mode\": \"invalid\"}");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().get("error").asText()).contains("steps: ensure this value is less than or equal to 50");
        assertThat(credits()).isEqualByComparingTo(before);
    }

    @Test
    void aJobPastItsExecutionTimeoutIs504AndThePredictionIsCanceledOnTheWorker() {
        Reply r = server.post("/v1/cog-image", key, "{\"sleep_ms\": 20000}");
        assertThat(r.status()).isEqualTo(504);
        String id = r.header("x-request-id");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> cog.canceled.contains(id));
    }

    @Test
    void aFailedSetupFailsTheBootWith503AndTheSetupLogs() {
        Reply r = server.post("/v1/cog-broken", key, "{}");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.json().get("error").asText()).contains("SETUP_FAILED").contains("OutOfMemoryError");
        assertThat(server.get("/v1/models/cog-broken", key).json().get("status").asText()).isEqualTo("failed");
    }
}
