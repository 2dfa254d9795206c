package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.HearthApp;
import dev.hearth.config.ConfigLoader;
import dev.hearth.http.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hearth in the benchmark's own JVM, with an unlimited plan and a funded account made through the admin API,
 * serving the built-in catalog with artifacts from a given folder: the "over HTTP" side of the model benchmarks.
 */
final class BenchHearth implements AutoCloseable {

    static final String ADMIN_KEY = "SG_benchAdminKey0000000000000000000";

    final HearthApp app;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final String base;
    final String key;

    BenchHearth(Path dir, Path artifacts) throws Exception {
        app = new HearthApp(ConfigLoader.load(Files.writeString(dir.resolve("bench.yaml"), """
                plans:
                  bench: {requests_per_minute: 1000000000, read_requests_per_minute: 1000000000, concurrent_jobs: 100000, paid: true}
                """), Map.of(), Map.of("data_dir", dir.resolve("data").toString(), "server.host", "127.0.0.1", "server.port", "0",
                "admin.key", ADMIN_KEY, "artifacts.dir", artifacts.toString())));
        base = "http://127.0.0.1:" + app.serve();
        JsonNode account = Json.MAPPER.readTree(send(post("/admin/accounts", ADMIN_KEY, Json.object().put("name", "bench").put("plan", "bench").put("free_credits", 0))));
        send(post("/admin/accounts/" + account.path("account_id").asText() + "/credits", ADMIN_KEY,
                Json.object().put("amount", 1000).put("kind", "paid").put("reference", "bench-1")));
        key = account.path("api_key").asText();
    }

    /** A model call with the account's key. */
    HttpRequest call(String slug, ObjectNode body) {
        return post("/v1/" + slug, key, body);
    }

    private HttpRequest post(String path, String apiKey, ObjectNode body) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("x-api-key", apiKey).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.text(body))).build();
    }

    /** The answer's bytes; anything but 200 fails the run, so a fast refusal never passes for a fast call. */
    byte[] send(HttpRequest request) throws Exception {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + new String(r.body()));
        return r.body();
    }

    @Override
    public void close() {
        http.close();
        app.close();
    }
}
