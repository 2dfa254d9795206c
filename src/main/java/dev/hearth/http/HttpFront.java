package dev.hearth.http;

import dev.hearth.config.HearthConfig;
import dev.hearth.store.Database;
import dev.hearth.web.Dashboard;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTP server: the access log around every request, health checks, the capability routes in the order
 * given, the web dashboard ({@code /}, {@code /ui/*}), then the fallbacks that keep
 * every answer in the JSON error envelope (404 for unknown paths, 405 for a known path with the wrong
 * method) and the translation of {@link ApiException} and unexpected failures into it.
 */
public final class HttpFront {

    private static final Logger log = LoggerFactory.getLogger(HttpFront.class);

    /** RFC 6585's code, which Helidon's Status has no constant for. */
    private static final Status HEADERS_TOO_LARGE = Status.create(431, "Request Header Fields Too Large");

    private HttpFront() {
    }

    public static WebServer build(HearthConfig.Server cfg, Database db, AccessLog accessLog, HttpService... services) {
        HttpRouting.Builder routing = HttpRouting.builder();
        routing.addFilter(accessLog);
        AtomicBoolean ready = new AtomicBoolean(true);
        routing.get("/health/live", (req, res) -> Replies.ok(res, Json.object().put("status", "live")));
        routing.get("/health/ready", (req, res) -> {
            boolean ok = ready.get() && db.isReachable();
            Replies.json(res, ok ? 200 : 503, Json.object().put("status", ok ? "ready" : "not ready")
                    .put("database", db.isReachable() ? "up" : "down"));
        });
        for (HttpService s : services) routing.register(s);
        routing.register(new Dashboard(cfg.publicUrl()));
        AllowedMethods.only(routing, "/v1/{slug}", "models are called with POST", Method.POST);
        routing.any((req, res) -> {
            throw ApiException.notFound("No route for " + req.prologue().method().text() + " " + req.path().path());
        });
        routing.error(ApiException.class, (req, res, e) -> Replies.error(res, e));
        routing.error(Throwable.class, (req, res, e) -> {
            log.error("unexpected failure on {} {}", req.prologue().method().text(), req.path().path(), e);
            Replies.error(res, new ApiException(500, "Internal error: " + e.getClass().getSimpleName() + ". The request was not billed"));
        });
        return WebServer.builder()
                .host(cfg.host())
                .port(cfg.port())
                .maxPayloadSize(-1)
                .directHandlers(jsonDirectHandlers())
                .shutdownHook(false)
                .routing(routing)
                .build();
    }

    /**
     * Requests the server refuses before any route sees them (a request line or URI over the server's limit: 414,
     * headers too large: 431, a malformed request: 400) are answered in the same JSON error envelope as
     * everything else, not with Helidon's plain-text page.
     */
    private static DirectHandlers jsonDirectHandlers() {
        DirectHandler json = (request, type, given, headers, message) -> {
            // Helidon reports headers over its size limit as a plain bad request; SPEC §2 promises 431 for them
            boolean headersTooLarge = message != null && message.contains("Header size exceeded");
            Status status = headersTooLarge ? HEADERS_TOO_LARGE : given;
            return DirectHandler.TransportResponse.builder()
                    .status(status)
                    .headers(headers)
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    // the rest of an over-long header block is still unread: the connection cannot carry another request
                    .keepAlive(type.keepAlive() && !headersTooLarge)
                    .entity(Json.bytes(Json.object().put("error", new ApiException(status.code(),
                            message == null || message.isBlank() ? status.reasonPhrase() : status.reasonPhrase() + ": " + message).getMessage())))
                    .build();
        };
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) b.addHandler(type, json);
        return b.build();
    }
}
