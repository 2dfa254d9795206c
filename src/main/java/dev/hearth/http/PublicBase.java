package dev.hearth.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import java.util.regex.Pattern;

/**
 * {@code <base>} of the URLs Hearth hands out (SPEC §3.2): the configured {@code server.public_url}, else the scheme
 * and Host of the request. A Host header that is not a plain host[:port] is not echoed back into URLs.
 */
public final class PublicBase {

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]+(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?");

    private PublicBase() {
    }

    public static String of(ServerRequest req, String configured) {
        if (configured != null && !configured.isBlank()) return trim(configured.trim());
        String scheme = req.isSecure() ? "https" : "http";
        String host = req.headers().first(HeaderNames.HOST).orElse("").trim();
        if (!HOST.matcher(host).matches()) {
            host = req.localPeer().host() + ":" + req.localPeer().port();
            if (host.contains(":") && host.indexOf(':') != host.lastIndexOf(':')) host = "[" + req.localPeer().host() + "]:" + req.localPeer().port();
        }
        return scheme + "://" + host;
    }

    private static String trim(String url) {
        String u = url;
        while (u.endsWith("/")) u = u.substring(0, u.length() - 1);
        return u;
    }
}
