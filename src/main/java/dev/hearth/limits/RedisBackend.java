package dev.hearth.limits;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.RedisApi;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Buckets and job sets in Redis, shared by every gateway that uses it, so an account's limits are exact
 * however many nodes serve it.
 *
 * <p>Buckets: Bucket4j's Lettuce proxy (compare-and-swap in a Lua script), expiring once they would be full
 * again. Job sets: a sorted set per account of request ids scored by lease expiry, in Redis time. Acquiring
 * first trims lapsed entries, then counts and adds, in one script, so two nodes cannot both take the last
 * slot. This node renews the leases of the slots it holds every third of a lease; a node that dies stops
 * renewing, and its slots lapse instead of blocking the account for ever.
 */
final class RedisBackend implements LimitBackend {

    private static final Logger log = LoggerFactory.getLogger(RedisBackend.class);

    /** KEYS[1] job set; ARGV: member, limit, lease ms. Returns the count after adding, or minus the count when full. */
    static final String ACQUIRE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local lease = tonumber(ARGV[3])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local n = redis.call('ZCARD', KEYS[1])
            if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
              if n >= tonumber(ARGV[2]) then return -n end
              n = n + 1
            end
            redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
            if redis.call('PTTL', KEYS[1]) < lease then redis.call('PEXPIRE', KEYS[1], lease) end
            return n
            """;

    /**
     * KEYS[1] job set; ARGV: member, lease ms. Pushes the member's expiry forward. A member that lapsed while
     * Redis was away is added back: its job is still running, so it still counts against the account.
     */
    static final String RENEW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local lease = tonumber(ARGV[2])
            redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
            if redis.call('PTTL', KEYS[1]) < lease then redis.call('PEXPIRE', KEYS[1], lease) end
            return 1
            """;

    private static final int MAX_PROXIES = 50_000;

    private record Held(String key, String member) {
    }

    private final RedisLink link;
    private final LettuceBasedProxyManager<byte[]> buckets;
    private final long leaseMillis;
    private final Set<Held> held = ConcurrentHashMap.newKeySet();
    private final Map<String, BucketProxy> proxies = new ConcurrentHashMap<>();
    /**
     * Orders renewals against releases on the one connection: without it a renewal read from {@link #held}
     * just before a release could reach Redis just after its ZREM and put the finished job back for a lease.
     */
    private final ReentrantLock renewOrRelease = new ReentrantLock();
    private final ScheduledExecutorService renewer;

    /** @param clock Bucket4j's clock for the buckets; null for the wall clock (a test passes its own) */
    RedisBackend(String url, Duration lease, TimeMeter clock) {
        this.link = new RedisLink(url);
        this.leaseMillis = lease.toMillis();
        var builder = new Bucket4jLettuce.LettuceBasedProxyManagerBuilder<byte[]>(new LinkApi<>(link))
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                .requestTimeout(RedisLink.TIMEOUT.plusSeconds(1));
        if (clock != null) builder.clientClock(clock);
        this.buckets = builder.build();
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("hearth-limits-renewer").unstarted(r));
        long every = Math.max(50, leaseMillis / 3);
        renewer.scheduleWithFixedDelay(this::renewHeld, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public ConsumptionProbe tryConsume(String key, long perMinute) throws BackendUnavailable {
        try {
            return proxy(key, perMinute).tryConsumeAndReturnRemaining(1);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * One proxy per bucket on this node, with Bucket4j's batching: calls that arrive while one is already
     * talking to Redis for the same bucket go together in the next round trip instead of racing each other's
     * compare-and-swap. Exactness is unchanged (each call still gets its own answer); the proxies hold no
     * state of their own, so forgetting them all now and then only costs a rebuild.
     */
    private BucketProxy proxy(String key, long perMinute) {
        BucketProxy p = proxies.get(key);
        if (p != null) return p;
        if (proxies.size() >= MAX_PROXIES) proxies.clear();
        return proxies.computeIfAbsent(key, k -> buckets.builder().withOptimization(Optimizations.batching())
                .build(bytes(k), () -> LimitBackend.bucket(perMinute)));
    }

    @Override
    public long acquireSlot(String key, String member, int limit) throws BackendUnavailable {
        Long n;
        try {
            RedisFuture<Long> f = link.commands().eval(ACQUIRE, ScriptOutputType.INTEGER, new byte[][]{bytes(key)},
                    bytes(member), bytes(Integer.toString(limit)), bytes(Long.toString(leaseMillis)));
            n = f.get(RedisLink.TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw link.unavailable("interrupted", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            throw translate(e);
        }
        if (n > 0) held.add(new Held(key, member));
        return n;
    }

    @Override
    public void releaseSlot(String key, String member) {
        renewOrRelease.lock();
        try {
            held.remove(new Held(key, member));
            link.commands().zrem(bytes(key), bytes(member));
        } catch (BackendUnavailable | RuntimeException e) {
            log.warn("limits: could not free job slot {} of {} ({}); it lapses within {} s", member, key, e.getMessage(), leaseMillis / 1000);
        } finally {
            renewOrRelease.unlock();
        }
    }

    /** Sends the renewals without waiting for them: the commands are queued on the connection in order. */
    private void renewHeld() {
        if (held.isEmpty()) return;
        renewOrRelease.lock();
        try {
            var commands = link.commands();
            for (Held h : held) {
                commands.eval(RENEW, ScriptOutputType.INTEGER, new byte[][]{bytes(h.key)}, bytes(h.member), bytes(Long.toString(leaseMillis)));
            }
        } catch (BackendUnavailable | RuntimeException e) {
            log.debug("limits: renewing {} job slots failed: {}", held.size(), e.toString());
        } finally {
            renewOrRelease.unlock();
        }
    }

    int heldCount() {
        return held.size();
    }

    /**
     * A failure reaching Redis becomes {@link BackendUnavailable} (503 or fail-open upstream); anything else is
     * a bug and goes up as it is.
     */
    private BackendUnavailable translate(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisLink.UnreachableException u) return u.reason;
            if (t instanceof RedisException || t instanceof IOException || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof io.github.bucket4j.TimeoutException) {
                return link.unavailable(RedisLink.reason(t), e);
            }
        }
        if (e instanceof RuntimeException re) throw re;
        throw new IllegalStateException(e);
    }

    @Override
    public String describe() {
        return "Redis at " + link.where();
    }

    @Override
    public void close() {
        renewer.shutdownNow();
        link.close();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Bucket4j's view of Redis, going through {@link RedisLink} so it survives reconnections. Generic in the
     * key because Bucket4j hands keys over in an Object[] (erased K[]), which a byte[][] parameter would reject.
     */
    private record LinkApi<K>(RedisLink link) implements RedisApi<K> {
        @Override
        public <V> RedisFuture<V> eval(String script, ScriptOutputType type, K[] keys, byte[][] args) {
            return link().commandsOrThrow().eval(script, type, Arrays.copyOf(keys, keys.length, byte[][].class), args);
        }

        @Override
        public RedisFuture<byte[]> get(K key) {
            return link().commandsOrThrow().get((byte[]) key);
        }

        @Override
        public RedisFuture<?> delete(K key) {
            return link().commandsOrThrow().del((byte[]) key);
        }
    }
}
