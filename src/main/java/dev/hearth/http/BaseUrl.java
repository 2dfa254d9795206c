package dev.hearth.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * {@code <base>} of SPEC §3.2: the configured public URL, else the scheme and Host of the request (what the
 * client used to reach this Hearth).
 */
public final class BaseUrl {

    private final String configured;

    public BaseUrl(String configured) {
        this.configured = configured == null || configured.isBlank() ? null : configured.replaceAll("/+$", "");
    }

    public String of(ServerRequest req) {
        if (configured != null) return configured;
        String host = req.headers().first(HeaderNames.HOST).orElse(req.localPeer().host() + ":" + req.localPeer().port());
        return (req.isSecure() ? "https" : "http") + "://" + host;
    }
}
