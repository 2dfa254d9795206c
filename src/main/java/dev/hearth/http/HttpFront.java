package dev.hearth.http;

import dev.hearth.config.HearthConfig;
import dev.hearth.store.Database;
import dev.hearth.web.Dashboard;
import dev.hearth.billing.BillingException;
import dev.hearth.billing.InsufficientCredits;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.ErrorHandling;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http1.Http1Config;
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

    private HttpFront() {
    }

    /** A request body that could not be read: 408 when the client paused too long, else 400; the connection is closed. */
    public static ApiException requestUnreadable(Throwable e) {
        ApiException answer = HelidonLog.isTimeout(e)
                ? new ApiException(408, "Request Timeout: the request body paused for longer than the server allows")
                : ApiException.badRequest("The request body could not be read: " + HelidonLog.oneLine(e));
        return answer.header("Connection", "close");
    }

    public static WebServer build(HearthConfig.Server cfg, ConnectionDeadlines deadlines, Database db, AccessLog accessLog, HttpService... services) {
        HelidonLog.install();
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
        routing.error(BillingException.class, (req, res, e) -> Replies.error(res, refusal(e)));
        routing.error(Throwable.class, (req, res, e) -> {
            if (HelidonLog.isIo(e)) {
                // the client went quiet or away while its request was read: its fault, one line, no stack trace
                log.debug("{} {}: the request could not be read: {}", req.prologue().method().text(), req.path().path(), HelidonLog.oneLine(e));
                Replies.error(res, requestUnreadable(e));
                return;
            }
            log.error("unexpected failure on {} {}", req.prologue().method().text(), req.path().path(), e);
            Replies.error(res, new ApiException(500, "Internal error: " + e.getClass().getSimpleName() + ". The request was not billed"));
        });
        return WebServer.builder()
                .host(cfg.host())
                .port(cfg.port())
                .maxPayloadSize(-1)
                .connectionOptions(deadlines)
                .errorHandling(ErrorHandling.builder().logAllMessages(true).build())
                .maxTcpConnections(deadlines.settings().maxConnections())
                .addProtocol(Http1Config.builder().maxHeadersSize(JsonDirectHandler.MAX_HEADER_BYTES)
                        .addReceiveListener(deadlines.receiving()).addSendListener(deadlines.sending()).build())
                .directHandlers(jsonDirectHandlers())
                .shutdownHook(false)
                .routing(routing)
                .build();
    }

    /** Billing's refusals as SPEC §2 answers. */
    public static ApiException refusal(BillingException e) {
        int status = switch (e) {
            case InsufficientCredits i -> 406;
            case BillingException.UnknownAccount u -> 404;
            case BillingException.ReferenceReused r -> 409;
            case BillingException.BelowZero b -> 422;
        };
        return new ApiException(status, e.getMessage());
    }

    /** Requests refused before routing answer in the JSON envelope too ({@link JsonDirectHandler}). */
    private static DirectHandlers jsonDirectHandlers() {
        DirectHandler json = new JsonDirectHandler();
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) b.addHandler(type, json);
        return b.build();
    }
}
