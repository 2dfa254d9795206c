package dev.hearth.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.config.Durations;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How long a client may take (SPEC §2: a client too slow sending its request gets 408 or the connection closed).
 * Helidon's server waits forever for a request that never comes; this class gives each connection a deadline for
 * each phase of a request, enforced by one watchdog thread:
 * <ul>
 *   <li>request line and headers: all of them within {@code header_timeout}, counted from the connection's start or
 *   from the first request line after an answer — else the watchdog answers 408 and closes the connection;</li>
 *   <li>body: while a route reads it ({@link #reading}), no pause longer than {@code body_gap} — else 408 and closed;</li>
 *   <li>between requests (keep-alive) nothing read or written for {@code idle_timeout}: closed.</li>
 * </ul>
 * It plugs into Helidon at two points: as the {@link SocketOptions} that configures each accepted socket (which hands
 * it the socket to answer and close) and as HTTP/1 listeners told of each request line, header block, write and
 * answer; routes report the body's reads themselves ({@link #reading}), as Helidon tells listeners of no read. A 408 is written only while the server itself has written nothing on the connection (it is waiting for
 * the client), so it never interleaves with an answer.
 */
public final class ConnectionDeadlines implements SocketOptions, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectionDeadlines.class);

    /** The {@code server:} settings: the three deadlines and the most connections served at once. */
    public record Settings(Duration headerTimeout, Duration bodyGap, Duration idleTimeout, int maxConnections) {
        public static Settings from(JsonNode server) {
            Settings s = new Settings(
                    Durations.parse("server.header_timeout", server.path("header_timeout").asText("30")),
                    Durations.parse("server.body_gap", server.path("body_gap").asText("30")),
                    Durations.parse("server.idle_timeout", server.path("idle_timeout").asText("60")),
                    server.path("max_connections").asInt(10_000));
            if (s.headerTimeout.toMillis() <= 0 || s.bodyGap.toMillis() <= 0 || s.idleTimeout.toMillis() <= 0 || s.maxConnections <= 0) {
                throw new IllegalArgumentException("server: header_timeout, body_gap, idle_timeout and max_connections must be positive");
            }
            return s;
        }
    }

    /** Where a connection's current request is: its headers coming, a route at work (body read or not), or idle. */
    private enum Phase { HEADERS, ROUTE, IDLE }

    /** One open connection: its socket, its phase and when things last happened on it (System.nanoTime). */
    private static final class Tracked {
        final ConnectionDeadlines owner;
        final Socket socket;
        volatile Phase phase = Phase.HEADERS;
        volatile long phaseSince = System.nanoTime();
        volatile long lastActivity = phaseSince;
        /** Routes reading the body now (0 or 1). */
        final AtomicInteger readingBody = new AtomicInteger();

        Tracked(ConnectionDeadlines owner, Socket socket) {
            this.owner = owner;
            this.socket = socket;
        }

        void enter(Phase p) {
            long now = System.nanoTime();
            phase = p;
            phaseSince = now;
            lastActivity = now;
        }
    }

    /** A connection's two ends: unique while it is open, even across several servers in one process. */
    private record Ends(SocketAddress local, SocketAddress remote) {
        static Ends of(ConnectionContext ctx) {
            return new Ends(ctx.localPeer().address(), ctx.remotePeer().address());
        }
    }

    /** Every connection of every server in this process. */
    private static final Map<Ends, Tracked> OPEN = new ConcurrentHashMap<>();

    private static final byte[] HEADERS_LATE = answer408("the request line and headers did not arrive in time");
    private static final byte[] BODY_PAUSED = answer408("the request body paused for longer than the server allows");

    private static byte[] answer408(String why) {
        byte[] body = Json.bytes(Json.object().put("error", "Request Timeout: " + why));
        byte[] head = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private final Settings settings;
    private final SocketOptions defaults = SocketOptions.create();
    private final ScheduledExecutorService watchdog;

    public ConnectionDeadlines(Settings settings) {
        this.settings = settings;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("hearth-connection-deadlines").unstarted(r));
        long shortest = Math.min(settings.headerTimeout.toMillis(), Math.min(settings.bodyGap.toMillis(), settings.idleTimeout.toMillis()));
        long period = Math.max(20, Math.min(1_000, shortest / 10));
        watchdog.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    public Settings settings() {
        return settings;
    }

    /** Marks the connection between {@code server} and {@code client} as having a route reading its body until the returned handle closes. */
    public static Reading reading(SocketAddress server, SocketAddress client) {
        Tracked t = client == null ? null : OPEN.get(new Ends(server, client));
        if (t == null) return Reading.UNTRACKED;
        t.lastActivity = System.nanoTime();
        t.readingBody.incrementAndGet();
        return new Reading() {
            @Override
            public void progress() {
                t.lastActivity = System.nanoTime();
            }

            @Override
            public void close() {
                t.readingBody.decrementAndGet();
            }
        };
    }

    /** The span of a body read: each read that got bytes reports {@link #progress}; closing it ends the body-pause deadline. */
    public interface Reading extends AutoCloseable {
        Reading UNTRACKED = new Reading() {
            @Override
            public void progress() {
            }

            @Override
            public void close() {
            }
        };

        void progress();

        @Override
        void close();
    }

    // ---- SocketOptions: each accepted socket passes here before its first read ----

    @Override
    public void configureSocket(SocketChannel channel) {
        defaults.configureSocket(channel);
        Socket s = channel.socket();
        SocketAddress client = s.getRemoteSocketAddress();
        if (client != null) OPEN.put(new Ends(s.getLocalSocketAddress(), client), new Tracked(this, s));
    }

    @Override
    public void configureSocket(Socket socket) {
        defaults.configureSocket(socket);
    }

    @Override
    public Map<SocketOption<?>, Object> socketOptions() {
        return defaults.socketOptions();
    }

    @Override
    public Duration connectTimeout() {
        return defaults.connectTimeout();
    }

    @Override
    public Duration readTimeout() {
        return defaults.readTimeout();
    }

    @Override
    public Optional<Integer> socketReceiveBufferSize() {
        return defaults.socketReceiveBufferSize();
    }

    @Override
    public Optional<Integer> socketSendBufferSize() {
        return defaults.socketSendBufferSize();
    }

    @Override
    public boolean socketReuseAddress() {
        return defaults.socketReuseAddress();
    }

    @Override
    public boolean socketKeepAlive() {
        return defaults.socketKeepAlive();
    }

    @Override
    public boolean tcpNoDelay() {
        return defaults.tcpNoDelay();
    }

    // ---- HTTP/1 listeners: what passes on each connection ----

    /** Told of each request line (the idle wait ended, the headers' clock starts) and each header block. */
    public Http1ConnectionListener receiving() {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                Tracked t = OPEN.get(Ends.of(ctx));
                if (t != null && t.phase == Phase.IDLE) t.enter(Phase.HEADERS);
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                Tracked t = OPEN.get(Ends.of(ctx));
                if (t != null) t.enter(Phase.ROUTE);
            }
        };
    }

    /** Told of every write and each answer's status: once a status goes out, the connection idles until the next request. */
    public Http1ConnectionListener sending() {
        return new Http1ConnectionListener() {
            @Override
            public void data(ConnectionContext ctx, BufferData data) {
                Tracked t = OPEN.get(Ends.of(ctx));
                if (t != null) t.lastActivity = System.nanoTime();
            }

            @Override
            public void status(ConnectionContext ctx, Status status) {
                Tracked t = OPEN.get(Ends.of(ctx));
                if (t != null) t.enter(Phase.IDLE);
            }
        };
    }

    /** Ends the connections past a deadline, and forgets closed ones. */
    private void check() {
        long now = System.nanoTime();
        OPEN.entrySet().removeIf(e -> {
            Tracked t = e.getValue();
            if (t.owner != this) return false;
            if (t.socket.isClosed()) return true;
            if (t.phase == Phase.HEADERS && now - t.phaseSince > settings.headerTimeout.toNanos()) {
                return end(e.getKey(), t, HEADERS_LATE, "no complete request line and headers within " + settings.headerTimeout.toMillis() + " ms");
            }
            if (t.phase == Phase.ROUTE && t.readingBody.get() > 0 && now - t.lastActivity > settings.bodyGap.toNanos()) {
                return end(e.getKey(), t, BODY_PAUSED, "the body paused for more than " + settings.bodyGap.toMillis() + " ms");
            }
            if (t.phase == Phase.IDLE && now - t.lastActivity > settings.idleTimeout.toNanos()) {
                return end(e.getKey(), t, null, "idle for " + settings.idleTimeout.toMillis() + " ms");
            }
            return false;
        });
    }

    /** Writes {@code answer} (if any) and closes; true, so the connection is forgotten. */
    private static boolean end(Ends ends, Tracked t, byte[] answer, String why) {
        log.debug("closing the connection from {}: {}", ends.remote(), why);
        try (Socket s = t.socket) {
            if (answer != null) {
                OutputStream out = s.getOutputStream();
                out.write(answer);
                out.flush();
            }
        } catch (IOException | RuntimeException ignored) {
            // the client is gone: closing is all there is to do
        }
        return true;
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        OPEN.values().removeIf(t -> t.owner == this);
    }
}
