package dev.hearth.metrics;

import dev.hearth.http.Caller;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics} in Prometheus text format, for the admin key or the configured scrape token
 * ({@code metrics.scrape_token}, sent as {@code Authorization: Bearer <token>} the way Prometheus'
 * {@code authorization} scrape setting does, or as {@code x-api-key}). Anything else gets the usual 401/403.
 */
public final class MetricsRoute implements HttpService {

    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Caller caller;
    private final HearthMetrics metrics;
    private final byte[] scrapeToken;

    /** {@code scrapeToken} empty or null: only the admin key may read metrics. */
    public MetricsRoute(Caller caller, HearthMetrics metrics, String scrapeToken) {
        this.caller = caller;
        this.metrics = metrics;
        this.scrapeToken = scrapeToken == null || scrapeToken.isBlank() ? null : scrapeToken.trim().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/metrics", (req, res) -> {
            if (!hasScrapeToken(req)) caller.admin(req);
            res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
        });
    }

    private boolean hasScrapeToken(ServerRequest req) {
        if (scrapeToken == null) return false;
        String bearer = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        String given = bearer.regionMatches(true, 0, "Bearer ", 0, 7) ? bearer.substring(7).trim()
                : req.headers().first(HeaderNames.create("x-api-key")).orElse("").trim();
        // constant time, so the token cannot be guessed byte by byte from response times
        return !given.isEmpty() && MessageDigest.isEqual(scrapeToken, given.getBytes(StandardCharsets.UTF_8));
    }
}
