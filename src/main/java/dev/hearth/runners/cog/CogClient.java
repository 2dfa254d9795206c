package dev.hearth.runners.cog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Speaks Cog's HTTP protocol to one server (a Cog container, {@code hearth worker}, anything that serves
 * {@code GET /health-check} and {@code PUT /predictions/{id}}). Predictions are created with the idempotent
 * synchronous {@code PUT}: sending the same id again never starts a second prediction while the first runs.
 */
public final class CogClient {

    /** Health states of {@code GET /health-check}; UNKNOWN for anything else, UNREACHABLE when nothing answers. */
    public enum Health { STARTING, READY, BUSY, SETUP_FAILED, DEFUNCT, UNHEALTHY, UNKNOWN, UNREACHABLE }

    /** What the health check said, with the setup logs a failed setup left. */
    public record HealthReport(Health status, String setupLogs) {
    }

    /** The answer to a prediction request: the HTTP status and its JSON body (null when not JSON). */
    public record Reply(int status, JsonNode body, String text) {
    }

    private final URI base;
    private final HttpClient http;

    public CogClient(String baseUrl, HttpClient http) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.http = http;
    }

    public static HttpClient newHttpClient() {
        // HTTP/1.1: Cog servers (uvicorn, coglet) and hearth worker speak it; no upgrade round trip
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    public String url() {
        return base.toString();
    }

    public HealthReport health() throws InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("health-check")).timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode body = Json.MAPPER.readTree(r.body());
            Health h;
            try {
                h = Health.valueOf(body.path("status").asText("UNKNOWN"));
            } catch (IllegalArgumentException e) {
                h = Health.UNKNOWN;
            }
            return new HealthReport(h, body.path("setup").path("logs").asText(""));
        } catch (IOException e) {
            return new HealthReport(Health.UNREACHABLE, e.toString());
        }
    }

    /**
     * {@code PUT /predictions/{id}} with {@code {"id", "input"}}, waiting for the prediction to end. Throws
     * IOException when the connection fails or breaks; InterruptedException aborts the exchange.
     */
    public Reply predict(String id, ObjectNode input) throws IOException, InterruptedException {
        ObjectNode body = Json.object().put("id", id);
        body.set("input", input);
        HttpRequest req = HttpRequest.newBuilder(base.resolve("predictions/" + id))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).build();
        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        JsonNode json = null;
        try {
            json = Json.MAPPER.readTree(r.body());
        } catch (IOException notJson) {
            // kept as text for the error message
        }
        return new Reply(r.statusCode(), json, new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@code POST /predictions/{id}/cancel}, best effort: a server that no longer knows the id answers 404. */
    public void cancel(String id) {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("predictions/" + id + "/cancel")).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        try {
            http.send(req, HttpResponse.BodyHandlers.discarding());
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
