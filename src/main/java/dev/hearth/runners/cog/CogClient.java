package dev.hearth.runners.cog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.net.Outbound;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

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
    private final Outbound http;

    public CogClient(String baseUrl, Outbound http) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.http = http;
    }

    /** Keep-alive to the worker (Cog servers and hearth worker speak HTTP/1.1); redirects are not followed. */
    public static Outbound newHttpClient() {
        return Outbound.trusted(Duration.ofSeconds(5), false);
    }

    public String url() {
        return base.toString();
    }

    public HealthReport health() throws InterruptedException {
        try {
            JsonNode body = Json.MAPPER.readTree(http.get(base.resolve("health-check"), Map.of(), Duration.ofSeconds(5)).bytes());
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
        Outbound.Answer r = http.send("PUT", base.resolve("predictions/" + id), Map.of("Content-Type", "application/json"), Json.bytes(body), null);
        byte[] answer = r.bytes();
        JsonNode json = null;
        try {
            json = Json.MAPPER.readTree(answer);
        } catch (IOException notJson) {
            // kept as text for the error message
        }
        return new Reply(r.status(), json, new String(answer, StandardCharsets.UTF_8));
    }

    /** {@code POST /predictions/{id}/cancel}, best effort: a server that no longer knows the id answers 404. */
    public void cancel(String id) {
        try {
            http.send("POST", base.resolve("predictions/" + id + "/cancel"), Map.of(), null, Duration.ofSeconds(5)).close();
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
