package dev.hearth.net;

import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Hearth's one outbound HTTP client: model servers and provider APIs (runners), Cog workers, artifact
 * registries, and — through {@link GuardedHttp} — media URLs and webhooks. It is OkHttp, chosen by measurement
 * (bench/README.md, "Outbound HTTP client"): as fast as the JDK client with keep-alive, and the only candidate
 * whose name resolution can be set per client and answer with a list of addresses, which is what lets a
 * guarded call connect to exactly the addresses the {@link AddressGuard} checked while TLS (SNI, certificate)
 * and the Host header still use the URL's host.
 *
 * <p>{@link #trusted} is for destinations the operator configured: system DNS, keep-alive pooling. {@link
 * #pinned} is for URLs a user gave: no proxy, no redirects (the caller follows them, checking each hop), no
 * pooling, and a resolver that can only return the checked addresses. Every instance shares one connection
 * pool and dispatcher. Calls block the calling thread (a virtual thread in Hearth); interrupting it aborts the
 * call and surfaces as {@link InterruptedException}.
 */
public final class Outbound {

    /**
     * The JVM's one pool: up to 64 idle keep-alive connections, closed after 5 idle minutes. OkHttp retries a
     * request once on a pooled connection the server had already closed (the usual keep-alive race); Cog
     * predictions are idempotent PUTs by id, and a model server that drops a connection after reading a request
     * without answering is the only case where a POST could reach it twice.
     */
    private static final OkHttpClient SHARED = new OkHttpClient.Builder()
            .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES))
            // OkHttp's default 10 s read limit would cut a long model call; limits are per use below
            .readTimeout(Duration.ZERO).writeTimeout(Duration.ZERO)
            .build();

    /** Guarded calls keep no connection: each one connects to the addresses checked for it (as the guard requires). */
    private static final OkHttpClient GUARDED = SHARED.newBuilder()
            .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
            .proxy(Proxy.NO_PROXY)   // a proxy would resolve the host itself, after the check
            .followRedirects(false).followSslRedirects(false)
            .retryOnConnectionFailure(false)
            // connect in the calling thread, the checked addresses in turn (OkHttp 5's default races them on
            // its own threads: a thread hop per fetch, since a guarded call always opens a new connection)
            .fastFallback(false)
            .build();

    private final OkHttpClient client;
    /** The same client with a read limit, one per limit used (a handful: health checks, downloads). */
    private final Map<Duration, OkHttpClient> withReadLimit = new ConcurrentHashMap<>();

    private Outbound(OkHttpClient client) {
        this.client = client;
    }

    /**
     * For destinations the operator configured (model servers, providers, Cog workers, registries): keep-alive,
     * system DNS, redirects followed only when {@code followRedirects}.
     */
    public static Outbound trusted(Duration connectTimeout, boolean followRedirects) {
        return new Outbound(SHARED.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(followRedirects).followSslRedirects(followRedirects).build());
    }

    /**
     * One call to a URL a user gave, connecting only to {@code checked} (what the guard allowed for the URL's
     * host), within {@code connectTimeout} per address and {@code callTimeout} for the whole call, body read
     * included. Another host name is never resolved: redirects are not followed.
     */
    static Answer pinned(String method, URI uri, List<InetAddress> checked, Map<String, String> headers, byte[] body,
                         Duration connectTimeout, Duration callTimeout) throws IOException, InterruptedException {
        return pinned(GUARDED, method, uri, checked, headers, body, connectTimeout, callTimeout);
    }

    /** The client guarded calls are derived from (tests add a trust store for their own certificate to it). */
    static OkHttpClient guardedBase() {
        return GUARDED;
    }

    static Answer pinned(OkHttpClient base, String method, URI uri, List<InetAddress> checked, Map<String, String> headers,
                         byte[] body, Duration connectTimeout, Duration callTimeout) throws IOException, InterruptedException {
        String host = AddressGuard.normalizeHost(uri.getHost());
        Dns onlyChecked = name -> {
            if (!AddressGuard.normalizeHost(name).equals(host)) throw new UnknownHostException(name + " was not checked for this call");
            return checked;
        };
        OkHttpClient c = base.newBuilder().dns(onlyChecked).connectTimeout(connectTimeout).callTimeout(callTimeout).build();
        return execute(c.newCall(request(method, target(uri).url, headers, body)));
    }

    /** Sends a request and returns the answer with its body still open; close it. {@code readTimeout} null: no limit. */
    public Answer send(String method, URI uri, Map<String, String> headers, byte[] body, Duration readTimeout)
            throws IOException, InterruptedException {
        return send(method, target(uri), headers, body, readTimeout);
    }

    /** The same, to a URL parsed once ({@link #target}). */
    public Answer send(String method, Target target, Map<String, String> headers, byte[] body, Duration readTimeout)
            throws IOException, InterruptedException {
        OkHttpClient c = readTimeout == null ? client
                : withReadLimit.computeIfAbsent(readTimeout, t -> client.newBuilder().readTimeout(t).build());
        return execute(c.newCall(request(method, target.url, headers, body)));
    }

    /**
     * A URL in OkHttp's form, for a destination called again and again (a runner's upstream path): parsing and
     * canonicalising the host is then done once, not on every call.
     */
    public static Target target(URI uri) {
        HttpUrl url = HttpUrl.get(uri);
        if (url == null) throw new IllegalArgumentException("not an http(s) URL: " + uri);
        return new Target(url);
    }

    /** A URL parsed once for OkHttp ({@link #target}). */
    public static final class Target {
        private final HttpUrl url;

        private Target(HttpUrl url) {
            this.url = url;
        }

        public URI uri() {
            return url.uri();
        }
    }

    /** A GET with the given headers. */
    public Answer get(URI uri, Map<String, String> headers, Duration readTimeout) throws IOException, InterruptedException {
        return send("GET", uri, headers, null, readTimeout);
    }

    private static Request request(String method, HttpUrl url, Map<String, String> headers, byte[] body) {
        Request.Builder b = new Request.Builder().url(url);
        String contentType = null;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase("content-type")) contentType = h.getValue();
            else b.header(h.getKey(), h.getValue());
        }
        RequestBody content = null;
        if (body != null || method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            content = RequestBody.create(body == null ? new byte[0] : body, contentType == null ? null : MediaType.parse(contentType));
        }
        return b.method(method, content).build();
    }

    private static Answer execute(Call call) throws IOException, InterruptedException {
        try {
            return new Answer(call.execute());
        } catch (IOException e) {
            // a virtual thread's socket is closed when the thread is interrupted: that is a cancel, not a failure
            if (Thread.currentThread().isInterrupted()) {
                Thread.interrupted();
                InterruptedException i = new InterruptedException("the call to " + call.request().url() + " was interrupted");
                i.initCause(e);
                throw i;
            }
            throw classify(call.request().url(), e);
        }
    }

    /** Unreachable (no connection was made) and TimedOut apart from other failures, for messages that say what to fix. */
    private static IOException classify(HttpUrl url, IOException e) {
        String where = url.host() + ":" + url.port();
        if (e instanceof UnknownHostException) return new Unreachable("the host " + url.host() + " could not be resolved", e);
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return new Unreachable("could not connect to " + where + ": " + e.getMessage(), e);
        }
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (e instanceof SocketTimeoutException && m.contains("connect")) return new Unreachable("could not connect to " + where + " in time", e);
        if (e instanceof InterruptedIOException) return new TimedOut("no answer from " + where + " within the time limit", e);
        return e;
    }

    /** No connection could be made: the name did not resolve, or every address refused or did not answer in time. */
    public static final class Unreachable extends IOException {
        Unreachable(String message, IOException cause) {
            super(message, cause);
        }
    }

    /** The call ran past its time limit (the whole call, or one read). */
    public static final class TimedOut extends IOException {
        TimedOut(String message, IOException cause) {
            super(message, cause);
        }
    }

    /** An answer whose body is still open: read it through {@link #body} or {@link #bytes}, then close it. */
    public static final class Answer implements Closeable {
        private final Response response;

        private Answer(Response response) {
            this.response = response;
        }

        public int status() {
            return response.code();
        }

        /** The first value of a response header, or null. */
        public String header(String name) {
            return response.header(name);
        }

        /** The declared body length, or -1. */
        public long contentLength() {
            ResponseBody b = response.body();
            return b.contentLength();
        }

        /** Where the answer came from (after the redirects this client followed). */
        public URI url() {
            return response.request().url().uri();
        }

        /** The body as a stream; closing it releases the connection (to the pool where there is one). */
        public InputStream body() {
            return response.body().byteStream();
        }

        /** The whole body; closes the answer. */
        public byte[] bytes() throws IOException {
            try (response) {
                return response.body().bytes();
            }
        }

        /** At most {@code max} bytes of the body and whether there was more; does not close. */
        public Capped bytes(long max) throws IOException {
            InputStream in = body();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                long room = max - total;
                if (n > room) {
                    out.write(buf, 0, (int) room);
                    return new Capped(out.toByteArray(), true);
                }
                out.write(buf, 0, n);
                total += n;
            }
            return new Capped(out.toByteArray(), false);
        }

        @Override
        public void close() {
            response.close();
        }
    }

    /** A body read up to a limit: the bytes, and whether the body went on past it. */
    public record Capped(byte[] bytes, boolean truncated) {
    }
}
