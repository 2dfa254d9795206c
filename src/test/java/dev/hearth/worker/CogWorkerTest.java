package dev.hearth.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.Json;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.RunnerFactory;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code hearth worker}'s side of Cog's protocol, with a runner that sleeps (plumbing only, no model): health
 * states, one slot → 409, an idempotent PUT that joins the running prediction, cancel, and the error shapes.
 */
class CogWorkerTest {

    final HttpClient http = HttpClient.newHttpClient();
    final AtomicInteger runs = new AtomicInteger();

    ModelSpec spec(String runnerType) throws Exception {
        Path dir = Files.createTempDirectory("worker-test");
        Files.writeString(dir.resolve("sleepy.yaml"), """
                slug: sleepy
                pricing: {type: per_call, price: 0.01}
                runner: {type: %s}
                scaling: {slots: 1}
                input_schema:
                  type: object
                  additionalProperties: false
                  properties:
                    ms: {type: integer, minimum: 0}
                    refuse: {type: boolean}
                """.formatted(runnerType));
        return Catalog.load(dir.toString(), n -> null).find("sleepy");
    }

    RunnerFactory sleepy(boolean bootFails) {
        return new RunnerFactory() {
            public String type() {
                return "sleepy";
            }

            public dev.hearth.runners.Runner boot(dev.hearth.runners.RunnerSpec spec, dev.hearth.runners.BootProgress progress) throws Exception {
                progress.step("warming up");
                Thread.sleep(400);
                if (bootFails) throw new IllegalStateException("weights missing");
                return in -> {
                    runs.incrementAndGet();
                    if (in.params().path("refuse").asBoolean()) throw new RunFailure("text too long");
                    Thread.sleep(in.params().path("ms").asLong(0));
                    return new RunOutput.Json(Json.object().put("slept", in.params().path("ms").asLong(0)), 3);
                };
            }
        };
    }

    record Answer(int status, JsonNode body) {
    }

    Answer send(String method, String url, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json");
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), Json.MAPPER.readTree(r.body()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void servesTheCogProtocolWithOneSlot() throws Exception {
        try (CogWorker worker = new CogWorker(spec("sleepy"), sleepy(false))) {
            String base = "http://127.0.0.1:" + worker.start("127.0.0.1", 0);
            // STARTING while the model loads; on a fast machine it may already be READY
            assertThat(send("GET", base + "/health-check", null).body().get("status").asText()).isIn("STARTING", "READY");
            await().atMost(Duration.ofSeconds(20)).until(() -> send("GET", base + "/health-check", null).body().get("status").asText().equals("READY"));
            assertThat(send("GET", base + "/health-check", null).body().get("setup").get("logs").asText()).contains("warming up");

            CompletableFuture<Answer> first = CompletableFuture.supplyAsync(() -> send("PUT", base + "/predictions/a", "{\"id\": \"a\", \"input\": {\"ms\": 1500}}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 1);
            assertThat(send("GET", base + "/health-check", null).body().get("status").asText()).isEqualTo("BUSY");
            Answer busy = send("PUT", base + "/predictions/b", "{\"input\": {\"ms\": 1}}");
            assertThat(busy.status()).isEqualTo(409);
            // the same id again joins the running prediction instead of starting a second one
            Answer again = send("PUT", base + "/predictions/a", "{\"input\": {\"ms\": 1500}}");
            Answer original = first.get();
            assertThat(original.status()).isEqualTo(200);
            assertThat(again.body()).isEqualTo(original.body());
            assertThat(runs.get()).isEqualTo(1);
            assertThat(original.body().get("status").asText()).isEqualTo("succeeded");
            assertThat(original.body().get("output").get("slept").asInt()).isEqualTo(1500);
            assertThat(original.body().get("metrics").get("predict_time").asDouble()).isGreaterThanOrEqualTo(1.5);
            assertThat(original.body().get("metrics").get("billable_units").asInt()).isEqualTo(3);

            CompletableFuture<Answer> slow = CompletableFuture.supplyAsync(() -> send("POST", base + "/predictions", "{\"id\": \"c\", \"input\": {\"ms\": 30000}}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 2);
            assertThat(send("POST", base + "/predictions/c/cancel", null).status()).isEqualTo(200);
            assertThat(slow.get().body().get("status").asText()).isEqualTo("canceled");
            assertThat(send("POST", base + "/predictions/zzz/cancel", null).status()).isEqualTo(404);

            Answer invalid = send("PUT", base + "/predictions/d", "{\"input\": {\"ms\": \"soon\"}}");
            assertThat(invalid.status()).isEqualTo(422);
            assertThat(invalid.body().get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"input\"]");
            assertThat(send("PUT", base + "/predictions/e", "{\"id\": \"other\", \"input\": {}}").status()).isEqualTo(422);
            Answer refused = send("PUT", base + "/predictions/f", "{\"input\": {\"refuse\": true}}");
            assertThat(refused.status()).isEqualTo(422);
            assertThat(refused.body().get("detail").get(0).get("msg").asText()).isEqualTo("text too long");
        }
    }

    @Test
    void aFailedSetupSaysSetupFailedWithTheReason() throws Exception {
        try (CogWorker worker = new CogWorker(spec("sleepy"), sleepy(true))) {
            String base = "http://127.0.0.1:" + worker.start("127.0.0.1", 0);
            await().atMost(Duration.ofSeconds(20)).until(() -> send("GET", base + "/health-check", null).body().get("status").asText().equals("SETUP_FAILED"));
            assertThat(send("GET", base + "/health-check", null).body().get("setup").get("logs").asText()).contains("weights missing");
            assertThat(send("PUT", base + "/predictions/a", "{\"input\": {}}").status()).isEqualTo(503);
        }
    }
}
