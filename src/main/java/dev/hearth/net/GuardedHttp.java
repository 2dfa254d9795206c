package dev.hearth.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Outbound HTTP on a user's behalf (media URLs, webhook deliveries) that cannot be turned against Hearth's own
 * network. Only http and https; the host is resolved once, every address it resolves to is checked by the
 * {@link AddressGuard}, and the socket is opened to a checked address itself — there is no second lookup for a
 * rebinding DNS server to answer differently ({@link Outbound#pinned}: the client's resolver can only return the
 * checked addresses, while TLS and the Host header keep the URL's host). Redirects are followed by hand, at most
 * {@code maxRedirects}, each hop resolved and checked again; bodies are capped in size and the whole exchange
 * (all hops) in time. No connection is kept: every hop connects to the addresses checked for it.
 */
public final class GuardedHttp {

    private static final String USER_AGENT = "Hearth/1 (self-hosted AI model platform; media fetch)";
    private static final Set<String> FRAMING = Set.of("host", "content-length", "connection", "transfer-encoding");

    private final AddressGuard guard;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final int maxRedirects;

    public GuardedHttp(AddressGuard guard, Duration connectTimeout, Duration timeout, int maxRedirects) {
        this.guard = guard;
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
        this.maxRedirects = maxRedirects;
    }

    /** The answer to a POST: its status and the first bytes of its body (for logs). */
    public record Answer(int status, String bodyStart) {
    }

    /** GETs {@code url}, following at most {@code maxRedirects} redirects, and returns at most {@code maxBytes}. */
    public Fetched get(String url, long maxBytes) throws FetchRefused {
        URI first = parse(url);
        long deadline = System.nanoTime() + timeout.toNanos();
        URI at = first;
        for (int hop = 0; ; hop++) {
            URI here = at;
            try (Outbound.Answer res = open("GET", at, Map.of(), null, deadline)) {
                int status = res.status();
                if (isRedirect(status)) {
                    String location = res.header("location");
                    if (location == null) throw new FetchRefused(at + " answered " + status + " without a Location");
                    if (hop >= maxRedirects) throw new FetchRefused(first + " redirected more than " + maxRedirects + " times");
                    at = redirectTarget(at, location);
                    continue;
                }
                if (status < 200 || status > 299) throw new FetchRefused(at + " answered HTTP " + status);
                if (res.contentLength() > maxBytes) throw tooBig(at, maxBytes);
                Outbound.Capped body = res.bytes(maxBytes);
                if (body.truncated()) throw tooBig(at, maxBytes);
                return new Fetched(body.bytes(), res.header("content-type"), at);
            } catch (IOException e) {
                throw explain(here.toString(), e);
            }
        }
    }

    /**
     * POSTs a JSON body with the given headers (webhook delivery) and returns the status. Redirects are not
     * followed: a webhook receiver that moves must be registered again.
     */
    public Answer postJson(String url, Map<String, String> headers, byte[] body) throws FetchRefused {
        URI target = parse(url);
        Map<String, String> h = new LinkedHashMap<>(headers);
        if (h.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("content-type"))) h.put("Content-Type", "application/json");
        try (Outbound.Answer res = open("POST", target, h, body, System.nanoTime() + timeout.toNanos())) {
            byte[] start = res.bytes(4096).bytes();
            return new Answer(res.status(), new String(start, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw explain(url, e);
        }
    }

    /** Checks that {@code url} may be fetched (scheme, host, every address) without connecting: for registrations. */
    public void checkDestination(String url) throws FetchRefused {
        URI u = parse(url);
        resolve(u);
    }

    private List<InetAddress> resolve(URI u) throws FetchRefused {
        try {
            return guard.resolve(u.getHost());
        } catch (ForbiddenAddress e) {
            throw new FetchRefused(abbreviate(u.toString()) + ": " + e.getMessage());
        } catch (UnknownHostException e) {
            throw new FetchRefused(abbreviate(u.toString()) + ": the host " + u.getHost() + " could not be resolved");
        }
    }

    /** Resolves and checks once, then connects only to the checked addresses (in turn until one answers). */
    private Outbound.Answer open(String method, URI uri, Map<String, String> headers, byte[] body, long deadline)
            throws FetchRefused, IOException {
        List<InetAddress> checked = resolve(uri);
        long left = deadline - System.nanoTime();
        if (left <= 0) throw timedOut(uri.toString());
        Map<String, String> h = new LinkedHashMap<>();
        h.put("User-Agent", USER_AGENT);
        h.put("Accept-Encoding", "identity");   // the bytes as served: no transparent decompression past the size cap
        h.put("Accept", "*/*");
        // framing and routing headers are the client's to write: a caller's Host must not steer the request
        headers.forEach((name, value) -> {
            if (!FRAMING.contains(name.toLowerCase(Locale.ROOT))) h.put(name, value);
        });
        try {
            return Outbound.pinned(method, uri, checked, h, body, connectTimeout, Duration.ofNanos(left));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchRefused("fetching " + abbreviate(uri.toString()) + " was interrupted");
        } catch (IllegalArgumentException e) {
            throw new FetchRefused(abbreviate(uri.toString()) + " could not be fetched: " + e.getMessage());
        }
    }

    /** Only absolute http(s) URLs with a host and no credentials. */
    static URI parse(String url) throws FetchRefused {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new FetchRefused("'" + abbreviate(url) + "' is not a valid URL: " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new FetchRefused("'" + abbreviate(url) + "' uses the scheme '" + scheme + "'; only http and https URLs are fetched");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) throw new FetchRefused("'" + abbreviate(url) + "' has no host");
        // java.net.URI takes any number as a port; a socket would refuse it only when the URL is used
        if (u.getPort() == 0 || u.getPort() > 65_535) throw new FetchRefused("'" + abbreviate(url) + "' has no valid port (1 to 65535)");
        if (u.getRawUserInfo() != null) throw new FetchRefused("'" + abbreviate(url) + "' carries credentials; URLs with user:password@ are not fetched");
        return u;
    }

    private static URI redirectTarget(URI from, String location) throws FetchRefused {
        URI next;
        try {
            next = from.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new FetchRefused(from + " redirected to an invalid URL '" + abbreviate(location) + "'");
        }
        try {
            return parse(next.toString());
        } catch (FetchRefused e) {
            throw new FetchRefused(from + " redirected to a URL that is not fetched: " + e.getMessage());
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static FetchRefused tooBig(URI at, long maxBytes) {
        return new FetchRefused(abbreviate(at.toString()) + " is larger than the limit of " + maxBytes + " bytes");
    }

    private FetchRefused timedOut(String url) {
        return new FetchRefused(abbreviate(url) + " did not answer within " + timeout.toSeconds() + " s");
    }

    private FetchRefused explain(String url, IOException failure) {
        String u = abbreviate(url);
        // the call's time limit can also end a body read, after the answer's head arrived
        if (failure instanceof Outbound.TimedOut || failure instanceof java.io.InterruptedIOException) return timedOut(url);
        if (failure instanceof Outbound.Unreachable c) return new FetchRefused(u + ": " + c.getMessage());
        if (failure instanceof javax.net.ssl.SSLException s) return new FetchRefused(u + ": the TLS handshake failed (" + s.getMessage() + ")");
        return new FetchRefused(u + " could not be fetched: " + (failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage()));
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
