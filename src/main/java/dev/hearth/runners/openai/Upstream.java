package dev.hearth.runners.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.http.Json;
import dev.hearth.net.Outbound;
import dev.hearth.runners.RunFailure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * An HTTP JSON API the gateway forwards model calls to (an OpenAI-compatible server, a provider's API): one
 * base URL, the headers every request carries (the API key), and the translation of its errors. A 400 or
 * 422 means the upstream refused this input: the caller gets 422 with the upstream's message. Anything else
 * that is not 2xx is a failure of the model (500).
 */
public final class Upstream {

    private final String base;
    private final Map<String, String> headers;
    private final Outbound http;
    /** Each path's URL, parsed once: a model's calls go to one or two paths, again and again. */
    private final Map<String, Outbound.Target> targets = new java.util.concurrent.ConcurrentHashMap<>();

    public Upstream(String baseUrl, Map<String, String> headers, Outbound http) {
        this.base = baseUrl.replaceAll("/+$", "");
        this.headers = Map.copyOf(headers);
        this.http = http;
    }

    /** Keep-alive to the model's server; its redirects are not followed (an API that moves is reconfigured). */
    public static Outbound newHttpClient() {
        return Outbound.trusted(Duration.ofSeconds(10), false);
    }

    /** The same upstream with one more header on every request. */
    public Upstream withHeader(String name, String value) {
        Map<String, String> h = new java.util.HashMap<>(headers);
        h.put(name, value);
        return new Upstream(base, h, http);
    }

    public String base() {
        return base;
    }

    private Map<String, String> headers(String... more) {
        Map<String, String> h = new HashMap<>(headers);
        for (int i = 0; i < more.length; i += 2) h.put(more[i], more[i + 1]);
        return h;
    }

    /** POSTs JSON and returns the JSON answer, or throws the upstream's refusal or failure. */
    public JsonNode post(String path, JsonNode body) throws IOException, InterruptedException, RunFailure {
        Outbound.Answer r = http.send("POST", target(path), headers("Content-Type", "application/json"), Json.bytes(body), null);
        byte[] answer = r.bytes();
        String text = new String(answer, StandardCharsets.UTF_8);
        if (r.status() / 100 != 2) throw failure(r.status(), text);
        try {
            return Json.MAPPER.readTree(answer);
        } catch (IOException e) {
            throw new IOException("the model's server at " + base + " answered something that is not JSON: " + clip(text));
        }
    }

    /** POSTs JSON and returns the open response stream (server-sent events), or throws like {@link #post}. */
    public InputStream postForStream(String path, JsonNode body) throws IOException, InterruptedException, RunFailure {
        Outbound.Answer r = http.send("POST", target(path),
                headers("Content-Type", "application/json", "Accept", "text/event-stream"), Json.bytes(body), null);
        if (r.status() / 100 != 2) {
            String text;
            try (r) {
                text = new String(r.bytes(64 * 1024).bytes(), StandardCharsets.UTF_8);
            }
            throw failure(r.status(), text);
        }
        return r.body();
    }

    private Outbound.Target target(String path) {
        return targets.computeIfAbsent(path, p -> Outbound.target(URI.create(base + p)));
    }

    /** GET that only needs to succeed (readiness). */
    public int get(String path) throws IOException, InterruptedException {
        try (Outbound.Answer r = http.send("GET", URI.create(base + path), headers, null, Duration.ofSeconds(10))) {
            return r.status();
        }
    }

    private IOException failure(int status, String text) throws RunFailure {
        String message = message(text);
        if (status == 400 || status == 422) throw new RunFailure("The model's server refused the request: " + message);
        if (status == 401 || status == 403) {
            return new IOException("the model's server at " + base + " refused the gateway's credentials (HTTP " + status + "): " + message
                    + "; the operator should check the model's API key");
        }
        return new IOException("the model's server at " + base + " answered HTTP " + status + ": " + message);
    }

    /** OpenAI's {@code {"error": {"message"}}}, Anthropic's and Gemini's (same shape), or the raw text. */
    static String message(String text) {
        try {
            JsonNode n = Json.MAPPER.readTree(text);
            JsonNode e = n.path("error");
            if (e.isTextual()) return e.asText();
            if (e.path("message").isTextual()) return e.path("message").asText();
            if (n.path("message").isTextual()) return n.path("message").asText();
            if (n.path("detail").isTextual()) return n.path("detail").asText();
        } catch (IOException | RuntimeException notJson) {
            // fall through to the text
        }
        return clip(text);
    }

    static String clip(String s) {
        String t = s.strip();
        return t.length() > 500 ? t.substring(0, 500) + "..." : t;
    }
}
