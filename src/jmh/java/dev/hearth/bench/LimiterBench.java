package dev.hearth.bench;

import dev.hearth.HearthApp;
import dev.hearth.config.ConfigLoader;
import dev.hearth.http.Json;
import dev.hearth.limits.Limits;
import dev.hearth.limits.RateVerdict;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the request-rate limit costs a model call: {@code Limits.admitModelCall} as the pipeline calls it
 * (cached plan lookup, key, bucket, verdict), with the buckets in memory or in Redis, against a baseline
 * that hands back a ready verdict without limiting anything. The account is on a plan whose limit never
 * binds, so every call is an admission (a refusal would be cheaper and prove nothing). Setup goes through
 * the real composition root: a HearthApp on SQLite in a temp folder, an account made by the admin code.
 *
 * <p>{@code redisRoundTrip} is one PING on a Lettuce connection to the same Redis, measured in the same run:
 * the floor under any limiter that asks Redis, to read the Redis number against (Bucket4j's compare-and-swap
 * takes two round trips per admission: read the bucket, then swap it in a script).
 *
 * <p>Redis: HEARTH_BENCH_REDIS_URL (default redis://127.0.0.1:6379); keys go under a fresh prefix and are
 * deleted after. See bench/LIMITS.md for the command and the numbers.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class LimiterBench {

    static String redisUrl() {
        return System.getenv().getOrDefault("HEARTH_BENCH_REDIS_URL", "redis://127.0.0.1:6379");
    }

    @State(Scope.Benchmark)
    public static class Limiter {
        @Param({"none", "memory", "redis"})
        public String limiter;

        private Path dir;
        private HearthApp app;
        private Limits limits;
        private String accountId;
        private String prefix;
        private final RateVerdict baseline = new RateVerdict(1_000_000_000L, 999_999_999L, 1);

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = Files.createTempDirectory("hearth-limiter-bench");
            prefix = "hearth-bench-" + UUID.randomUUID().toString().substring(0, 8) + ":";
            Map<String, String> o = new HashMap<>();
            o.put("data_dir", dir.toString());
            o.put("plans.bench.requests_per_minute", "1000000000");
            o.put("plans.bench.concurrent_jobs", "100000");
            o.put("plans.bench.paid", "true");
            o.put("limits.key_prefix", prefix);
            if (limiter.equals("redis")) o.put("limits.redis_url", redisUrl());
            app = new HearthApp(ConfigLoader.load(null, Map.of(), o));
            accountId = app.administration.createAccount(Json.object().put("name", "bench").put("plan", "bench").put("free_credits", 0))
                    .get("account_id").asText();
            if (!limiter.equals("none")) {
                limits = Limits.start(app.config, app.limitSettings);
                if (!limits.admitModelCall(accountId).known()) throw new IllegalStateException("the limiter cannot reach " + limits.describe());
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            if (limits != null) limits.close();
            app.close();
            if (limiter.equals("redis")) deleteKeys(prefix);
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Ping {
        private RedisClient client;
        private StatefulRedisConnection<String, String> connection;

        @Setup(Level.Trial)
        public void setUp() {
            client = RedisClient.create(redisUrl());
            connection = client.connect();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Benchmark
    public RateVerdict admitModelCall(Limiter s) {
        return s.limits == null ? s.baseline : s.limits.admitModelCall(s.accountId);
    }

    @Benchmark
    public String redisRoundTrip(Ping p) {
        return p.connection.sync().ping();
    }

    static void deleteKeys(String prefix) {
        RedisClient client = RedisClient.create(redisUrl());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = c.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
                if (!page.getKeys().isEmpty()) c.sync().del(page.getKeys().toArray(String[]::new));
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
