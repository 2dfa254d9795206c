package dev.hearth.http;

import io.helidon.webserver.http.ServerRequest;

/** The configured public URL bound once, so routes can ask for {@code <base>} of a request (see {@link PublicBase}). */
public final class BaseUrl {

    private final String configured;

    public BaseUrl(String configured) {
        this.configured = configured;
    }

    public String of(ServerRequest req) {
        return PublicBase.of(req, configured);
    }
}
