package dev.hearth.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/** Writing JSON answers and the error envelope. */
public final class Replies {

    private Replies() {
    }

    public static void json(ServerResponse res, int status, Object body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(body));
    }

    public static void ok(ServerResponse res, Object body) {
        json(res, 200, body);
    }

    public static void error(ServerResponse res, ApiException e) {
        e.headers().forEach(res::header);
        json(res, e.status(), Json.object().put("error", e.getMessage()));
    }
}
