package dev.hearth.web;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;

/**
 * The web dashboard (SPEC §7): {@code /} is the page, {@code /ui/*} its scripts and styles, all from the jar
 * (src/main/resources/web). Every answer carries a strict Content-Security-Policy: scripts and styles only from
 * this origin and no inline code, no frames, no third-party connections. The page talks to the public API
 * with the key in the {@code x-api-key} header; a key never appears in a URL.
 */
public final class Dashboard implements HttpService {

    private final byte[] page;
    private final String csp;
    private final HttpService files;

    public Dashboard(String publicUrl) {
        this.page = read("web/index.html");
        this.csp = contentSecurityPolicy(publicUrl);
        this.files = StaticContentFeature.createService(ClasspathHandlerConfig.builder().location("web/ui").build());
    }

    static String contentSecurityPolicy(String publicUrl) {
        // Asset URLs point at server.public_url, which may be another origin than the one serving the page.
        String media = "'self' data: blob:" + origin(publicUrl);
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src " + media + "; media-src " + media
                + "; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    private static String origin(String publicUrl) {
        if (publicUrl == null || publicUrl.isBlank()) return "";
        try {
            URI u = URI.create(publicUrl.trim());
            if (u.getScheme() == null || u.getHost() == null) return "";
            return " " + u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> {
            protect(res);
            res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
            // the page is small and names its scripts; always revalidate so an upgrade shows at once
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            res.send(page);
        });
        rules.any("/ui/*", (req, res) -> {
            protect(res);
            res.next();
        });
        rules.register("/ui", files);
    }

    private void protect(ServerResponse res) {
        res.header("Content-Security-Policy", csp);
        res.header("X-Content-Type-Options", "nosniff");
        res.header("X-Frame-Options", "DENY");
        res.header("Referrer-Policy", "no-referrer");
        res.header("Cross-Origin-Opener-Policy", "same-origin");
    }

    private static byte[] read(String resource) {
        try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
