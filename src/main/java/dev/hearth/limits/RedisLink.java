package dev.hearth.limits;

import dev.hearth.limits.LimitBackend.BackendUnavailable;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One Lettuce connection to the limits Redis that never takes the gateway down with it. While Redis is away,
 * commands fail at once (not queued) and within {@link #TIMEOUT} at worst, so a model call gets a quick 503
 * instead of hanging. Lettuce reconnects a lost connection by itself (backoff capped at 2 s); if Redis was
 * not there when the gateway started, the next command tries again, at most twice a second.
 */
final class RedisLink implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private final ReentrantLock connecting = new ReentrantLock();
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile long nextAttemptNanos;
    private volatile String lastError = "not connected yet";

    RedisLink(String url) {
        try {
            this.uri = RedisURI.create(url);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("limits.redis_url is not a Redis URL (redis://host:6379): " + e.getMessage(), e);
        }
        uri.setTimeout(TIMEOUT);
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build())
                .build());
        try {
            connect();
        } catch (BackendUnavailable e) {
            // not fatal: the gateway starts, model calls get 503 (or pass, fail-open) until Redis answers
        }
    }

    /** host:port only, never the password a URL may carry. */
    String where() {
        return uri.getHost() + ":" + uri.getPort();
    }

    RedisAsyncCommands<byte[], byte[]> commands() throws BackendUnavailable {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c == null) c = connect();
        if (!c.isOpen()) throw unavailable("connection lost, reconnecting", null);
        return c.async();
    }

    /** For callbacks that cannot throw checked exceptions (Bucket4j's); RedisBackend unwraps it again. */
    RedisAsyncCommands<byte[], byte[]> commandsOrThrow() {
        try {
            return commands();
        } catch (BackendUnavailable e) {
            throw new UnreachableException(e);
        }
    }

    private StatefulRedisConnection<byte[], byte[]> connect() throws BackendUnavailable {
        if (System.nanoTime() < nextAttemptNanos || !connecting.tryLock()) throw unavailable(lastError, null);
        try {
            StatefulRedisConnection<byte[], byte[]> c = connection;
            if (c != null) return c;
            try {
                c = client.connect(ByteArrayCodec.INSTANCE);
                connection = c;
                return c;
            } catch (RuntimeException e) {
                lastError = reason(e);
                nextAttemptNanos = System.nanoTime() + RETRY_NANOS;
                throw unavailable(lastError, e);
            }
        } finally {
            connecting.unlock();
        }
    }

    BackendUnavailable unavailable(String why, Throwable cause) {
        return new BackendUnavailable("Redis at " + where() + " cannot be reached (" + why + ")", cause);
    }

    /** The innermost message of a failure: "Connection refused" rather than three layers of wrappers. */
    static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /** Carries {@link BackendUnavailable} through code that only lets unchecked exceptions pass. */
    static final class UnreachableException extends RuntimeException {
        final BackendUnavailable reason;

        UnreachableException(BackendUnavailable reason) {
            super(reason.getMessage(), reason, false, false);
            this.reason = reason;
        }
    }

    @Override
    public void close() {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c != null) c.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
