package dev.hearth;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Where tests find Redis: HEARTH_TEST_REDIS_URL (default the loopback server on 6379). Each test run writes
 * under its own key prefix and deletes its keys after. Under CI (CI=true) an unreachable Redis fails the
 * test; elsewhere the Redis variants are skipped, loudly. Tests that need a Redis to die start their own
 * {@link Server} on a free port and never touch the shared one.
 */
public final class TestRedis {

    public static final String URL = System.getenv().getOrDefault("HEARTH_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    private TestRedis() {
    }

    /** Fails under CI, skips elsewhere, when the shared Redis cannot be reached. */
    public static void requireRedis() {
        java.net.URI u = java.net.URI.create(URL);
        if (!ping(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort())) unavailable("Redis at " + URL + " is not reachable");
    }

    private static void unavailable(String msg) {
        LoudSkip.unavailable("Redis", msg, null);
    }

    public static String freshPrefix() {
        return "hearth-test-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT) + ":";
    }

    /** Deletes every key under {@code prefix}; returns how many there were. */
    public static int deleteKeys(String url, String prefix) {
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            int n = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = c.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
                List<String> keys = page.getKeys();
                if (!keys.isEmpty()) n += c.sync().del(keys.toArray(String[]::new)).intValue();
                cursor = page;
            } while (!cursor.isFinished());
            return n;
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    public static int countKeys(String url, String prefix) {
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().keys(prefix + "*").size();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    static boolean ping(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buf = new byte[7];
            InputStream in = s.getInputStream();
            int n = in.read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A redis-server of the test's own, on a free loopback port, without persistence. {@link #kill()} ends it
     * the way a crash would; {@link #start()} brings it back on the same port.
     */
    public static final class Server implements AutoCloseable {
        public final int port;
        private final Path dir;
        private Process process;

        public Server() {
            if (!Files.isExecutable(Path.of("/usr/bin/redis-server")) && !onPath("redis-server")) {
                unavailable("redis-server is not installed (apt-get install redis-server)");
            }
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                this.port = s.getLocalPort();
                this.dir = Files.createTempDirectory("hearth-redis");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            start();
        }

        private static boolean onPath(String exe) {
            for (String d : System.getenv().getOrDefault("PATH", "").split(":")) if (Files.isExecutable(Path.of(d, exe))) return true;
            return false;
        }

        public String url() {
            return "redis://127.0.0.1:" + port;
        }

        public void start() {
            try {
                process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!ping("127.0.0.1", port)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server on port " + port + " did not start; log in " + dir.resolve("redis.log"));
                }
                sleep(50);
            }
        }

        /** Ends the server at once, as a crash would; waits until the port no longer answers. */
        public void kill() {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            while (ping("127.0.0.1", port)) sleep(50);
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            if (process != null && process.isAlive()) kill();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp folder
            }
        }
    }
}
