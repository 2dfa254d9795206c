package dev.hearth.http;

import dev.hearth.accounts.Principal;
import dev.hearth.metrics.HearthMetrics;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Around every request: lets the routes run, then writes one access-log line (logger {@code hearth.access}) and
 * the HTTP metrics. The line carries the request id, the account and key id (never the key), the model, the
 * status code and the timings (total, and queue and processing for model calls, read from the response's
 * {@code x-queue-time} / {@code x-generation-time}). Routes add what only they know with {@link #noteCaller}
 * and {@link #noteModel}. Health probes are counted in metrics but not logged.
 */
public final class AccessLog implements Filter {

    private static final Logger log = LoggerFactory.getLogger("hearth.access");
    private static final String CALLER = "hearth.caller";
    private static final String MODEL = "hearth.model";
    private static final HeaderName REQUEST_ID = HeaderNames.create("x-request-id");
    private static final HeaderName QUEUE_TIME = HeaderNames.create("x-queue-time");
    private static final HeaderName GENERATION_TIME = HeaderNames.create("x-generation-time");
    /** Model calls whose slug is the path (sync and async); named surfaces like /v1/embeddings note their model. */
    private static final Pattern MODEL_PATH = Pattern.compile("^/v[12]/([a-z0-9][a-z0-9._-]*)$");

    private final HearthMetrics metrics;
    private final boolean enabled;

    public AccessLog(HearthMetrics metrics, boolean enabled) {
        this.metrics = metrics;
        this.enabled = enabled;
    }

    /** Called once the caller is authenticated, so the line can name the account. */
    public static void noteCaller(ServerRequest req, Principal p) {
        req.context().register(CALLER, p);
    }

    /** For routes whose model is not in the path (OpenAI-style bodies). */
    public static void noteModel(ServerRequest req, String model) {
        req.context().register(MODEL, model);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long t0 = System.nanoTime();
        try {
            chain.proceed();
        } finally {
            long nanos = System.nanoTime() - t0;
            int status = res.status().code();
            String method = req.prologue().method().text();
            String path = req.path().path();
            if (metrics != null) metrics.recordHttp(method, route(req, path), status, nanos);
            if (enabled && !path.startsWith("/health/")) write(req, res, method, path, status, nanos);
        }
    }

    private static void write(RoutingRequest req, RoutingResponse res, String method, String path, int status, long nanos) {
        LoggingEventBuilder line = log.atInfo()
                .setMessage(method + " " + path + " " + status)
                .addKeyValue("request_id", res.headers().first(REQUEST_ID).orElseGet(() -> UUID.randomUUID().toString()))
                .addKeyValue("method", method)
                .addKeyValue("path", path)
                .addKeyValue("status", status)
                .addKeyValue("duration_ms", millis(nanos));
        req.context().get(CALLER, Principal.class).ifPresent(p -> {
            if (p.admin()) line.addKeyValue("account_id", "admin");
            else line.addKeyValue("account_id", p.accountId()).addKeyValue("key_id", p.keyId());
        });
        String model = req.context().get(MODEL, String.class).orElseGet(() -> modelFromPath(method, path));
        if (model != null) line.addKeyValue("model", model);
        res.headers().first(QUEUE_TIME).ifPresent(v -> line.addKeyValue("queue_ms", secondsToMillis(v)));
        res.headers().first(GENERATION_TIME).ifPresent(v -> line.addKeyValue("processing_ms", secondsToMillis(v)));
        line.log();
    }

    /** The matched route pattern, never the raw path (which would make one series per asset id or slug). */
    private static String route(RoutingRequest req, String path) {
        String pattern = req.matchingPattern().orElse("");
        if (!pattern.isEmpty()) return pattern;
        return path.startsWith("/ui/") ? "/ui/*" : "unmatched";
    }

    private static String modelFromPath(String method, String path) {
        if (!method.equals("POST")) return null;
        Matcher m = MODEL_PATH.matcher(path);
        return m.matches() ? m.group(1) : null;
    }

    /** Milliseconds with microsecond precision, as a number. */
    private static double millis(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }

    private static Object secondsToMillis(String seconds) {
        try {
            return Math.round(Double.parseDouble(seconds) * 1000);
        } catch (NumberFormatException e) {
            return seconds;
        }
    }
}
