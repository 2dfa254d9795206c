package dev.hearth.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Outbound HTTP on a user's behalf (media URLs, webhook deliveries) that cannot be turned against Hearth's own
 * network. Only http and https; the host is resolved once, every address it resolves to is checked by the
 * {@link AddressGuard}, and the socket is opened to a checked address itself — there is no second lookup for a
 * rebinding DNS server to answer differently. Redirects are followed by hand, at most {@code maxRedirects}, each
 * hop resolved and checked again; bodies are capped in size and the whole exchange (all hops) in time.
 */
public final class GuardedHttp {

    private static final String USER_AGENT = "Hearth/1 (self-hosted AI model platform; media fetch)";

    private final AddressGuard guard;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final int maxRedirects;
    private final ExecutorService calls = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("hearth-fetch-", 0).factory());

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
        return withDeadline(url, sockets -> {
            URI at = first;
            for (int hop = 0; ; hop++) {
                try (Http1Exchange res = open("GET", at, Map.of(), null, sockets)) {
                    int status = res.status;
                    if (isRedirect(status)) {
                        String location = res.header("location");
                        if (location == null) throw new FetchRefused(at + " answered " + status + " without a Location");
                        if (hop >= maxRedirects) throw new FetchRefused(first + " redirected more than " + maxRedirects + " times");
                        at = redirectTarget(at, location);
                        continue;
                    }
                    if (status < 200 || status > 299) throw new FetchRefused(at + " answered HTTP " + status);
                    String length = res.header("content-length");
                    if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxBytes) throw tooBig(at, maxBytes);
                    byte[] body = readCapped(res.body, maxBytes, at);
                    return new Fetched(body, res.header("content-type"), at);
                }
            }
        });
    }

    /**
     * POSTs a JSON body with the given headers (webhook delivery) and returns the status. Redirects are not
     * followed: a webhook receiver that moves must be registered again.
     */
    public Answer postJson(String url, Map<String, String> headers, byte[] body) throws FetchRefused {
        URI target = parse(url);
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        if (h.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("content-type"))) h.put("Content-Type", "application/json");
        return withDeadline(url, sockets -> {
            try (Http1Exchange res = open("POST", target, h, body, sockets)) {
                byte[] start = readCapped(res.body, 4096, null);
                return new Answer(res.status, new String(start, StandardCharsets.UTF_8));
            }
        });
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

    /** Resolves and checks once, then connects to the checked addresses in turn until one answers. */
    private Http1Exchange open(String method, URI uri, Map<String, String> headers, byte[] body, List<Socket> sockets)
            throws FetchRefused, IOException {
        Map<String, String> h = new java.util.LinkedHashMap<>();
        h.put("User-Agent", USER_AGENT);
        h.putAll(headers);
        IOException last = null;
        for (InetAddress address : resolve(uri)) {
            try {
                return Http1Exchange.send(address, uri, method, h, body, connectTimeout, timeout, sockets::add);
            } catch (Http1Exchange.ConnectFailed e) {
                last = e;   // nothing was sent: the next address may be tried
            }
        }
        throw last;
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

    /** At most {@code maxBytes}; more is an error when {@code at} is given, silently cut otherwise. */
    private static byte[] readCapped(InputStream in, long maxBytes, URI at) throws IOException, FetchRefused {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            long room = maxBytes - total;
            if (n > room) {
                if (at != null) throw tooBig(at, maxBytes);
                out.write(buf, 0, (int) room);
                break;
            }
            out.write(buf, 0, n);
            total += n;
        }
        return out.toByteArray();
    }

    private static FetchRefused tooBig(URI at, long maxBytes) {
        return new FetchRefused(abbreviate(at.toString()) + " is larger than the limit of " + maxBytes + " bytes");
    }

    private interface Exchange<T> {
        T run(List<Socket> sockets) throws Exception;
    }

    /** Runs one whole exchange (all hops) under the time cap; past it, its sockets are closed and it is interrupted. */
    private <T> T withDeadline(String url, Exchange<T> exchange) throws FetchRefused {
        List<Socket> sockets = new CopyOnWriteArrayList<>();
        Future<T> f = calls.submit(() -> exchange.run(sockets));
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new FetchRefused(abbreviate(url) + " did not answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchRefused("fetching " + abbreviate(url) + " was interrupted");
        } catch (ExecutionException e) {
            throw explain(url, e.getCause());
        } finally {
            f.cancel(true);
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }
    }

    private static FetchRefused explain(String url, Throwable failure) {
        if (failure instanceof FetchRefused r) return r;
        String u = abbreviate(url);
        if (failure instanceof Http1Exchange.ConnectFailed c) return new FetchRefused(u + ": " + c.getMessage());
        if (failure instanceof java.net.SocketTimeoutException) return new FetchRefused(u + ": no answer within the time limit");
        if (failure instanceof javax.net.ssl.SSLException s) return new FetchRefused(u + ": the TLS handshake failed (" + s.getMessage() + ")");
        if (failure instanceof IOException io) return new FetchRefused(u + " could not be fetched: " + io.getMessage());
        return new FetchRefused(u + " could not be fetched: " + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : " (" + failure.getMessage() + ")"));
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
