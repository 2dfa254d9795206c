package dev.hearth.limits;

import dev.hearth.TestRedis;
import dev.hearth.billing.Money;
import dev.hearth.config.ConfigLoader;
import io.github.bucket4j.TimeMeter;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds {@link Limits} for tests: the plans shipped in hearth-defaults.yaml, accounts kept in a map instead
 * of the database, the memory or Redis backend, and a clock the test moves by hand.
 */
final class Fixture implements AutoCloseable {

    enum Backend { MEMORY, REDIS }

    /** Bucket4j's clock, moved by the test; wall-clock based so the Redis proxy accepts it. */
    static final class ManualTime implements TimeMeter {
        private final AtomicLong nanos = new AtomicLong(System.currentTimeMillis() * 1_000_000L);

        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }

        void advanceSeconds(long s) {
            advance(Duration.ofSeconds(s));
        }
    }

    static final Plans PLANS = Plans.fromConfig(ConfigLoader.load(null, Map.of(), Map.of()));

    final Backend backend;
    final String prefix = TestRedis.freshPrefix();
    final String redisUrl;
    final Map<String, AccountLimits> accounts = new ConcurrentHashMap<>();

    Fixture(Backend backend) {
        this(backend, TestRedis.URL);
    }

    Fixture(Backend backend, String redisUrl) {
        if (backend == Backend.REDIS && redisUrl.equals(TestRedis.URL)) TestRedis.requireRedis();
        this.backend = backend;
        this.redisUrl = redisUrl;
    }

    LimitsConfig config(boolean failOpen, Duration lease) {
        return new LimitsConfig(backend == Backend.REDIS ? redisUrl : "", failOpen, 600, Money.fromUsd(BigDecimal.valueOf(5)),
                prefix, lease, Duration.ofSeconds(5));
    }

    /** A new node: its own backend (own Redis connection) over the shared accounts and key prefix. */
    Limits node(TimeMeter time) {
        return node(time, false, Duration.ofSeconds(30));
    }

    Limits node(TimeMeter time, boolean failOpen, Duration lease) {
        LimitsConfig cfg = config(failOpen, lease);
        return new Limits(cfg, PLANS, this::lookup, Limits.backend(cfg, time), Clock.systemUTC());
    }

    private AccountLimits lookup(String id) {
        AccountLimits l = accounts.get(id);
        if (l == null) throw new IllegalArgumentException("unknown test account " + id);
        return l;
    }

    /** An account on a configured plan, with optional overrides. */
    String account(String plan, LimitOverrides overrides) {
        String id = "acc_" + java.util.UUID.randomUUID().toString().substring(0, 8);
        accounts.put(id, AccountLimits.of(id, PLANS.find(plan), overrides));
        return id;
    }

    String account(String plan) {
        return account(plan, LimitOverrides.NONE);
    }

    @Override
    public void close() {
        if (backend == Backend.REDIS) TestRedis.deleteKeys(redisUrl, prefix);
    }
}
