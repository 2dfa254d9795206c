package dev.hearth.http;

import dev.hearth.accounts.Authenticator;
import dev.hearth.accounts.Principal;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/** Resolves who is calling from the request headers, for routes that need an account or the operator. */
public final class Caller {

    private static final io.helidon.http.HeaderName X_API_KEY = HeaderNames.create("x-api-key");

    private final Authenticator authenticator;

    public Caller(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    public Principal of(ServerRequest req) {
        Principal p = authenticator.authenticate(req.headers().first(X_API_KEY).orElse(null),
                req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
        AccessLog.noteCaller(req, p);
        return p;
    }

    /** An account's key; the admin key is refused here because these routes act on "my" account. */
    public Principal account(ServerRequest req) {
        Principal p = of(req);
        if (p.admin()) throw ApiException.forbidden("This route acts on an account; use an account's API key, not the admin key");
        return p;
    }

    public Principal admin(ServerRequest req) {
        Principal p = of(req);
        if (!p.admin()) throw ApiException.forbidden("Admin routes take only the admin key");
        return p;
    }
}
