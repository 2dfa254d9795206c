package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.HearthApp;
import dev.hearth.config.ConfigLoader;
import dev.hearth.http.Json;
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
import org.openjdk.jmh.infra.ThreadParams;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Dynamic batching over HTTP: many concurrent callers (run it with {@code -t 32}) each embed a short text of their
 * own with bge-small-en-v1.5 through a real Hearth, with the lane's batching off, on (a batch is one runner call
 * that runs each text on its own, so vectors equal the unbatched ones) and on with {@code paddedBatches} (a batch
 * is one padded ONNX run). Each {@code batching} value runs in its own fork of the same JMH run, so the ratios are
 * taken minutes apart on the same machine. At the end of each fork the lane's runs and jobs are printed: jobs ÷
 * runs is the mean batch. See bench/README.md ("Dynamic batching") for the command and the numbers.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class BatchingBench {

    static final String SLUG = "bge-small-en-v1.5";

    @State(Scope.Benchmark)
    public static class Server {
        /** off: batch_window_ms 0; on: the defaults (2 ms, 32); padded: the defaults and paddedBatches. */
        @Param({"off", "on", "padded"})
        public String batching;

        Path dataDir;
        HearthApp app;
        HttpClient http;
        String base;
        String key;

        @Setup(Level.Trial)
        public void start() throws Exception {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(ch.qos.logback.classic.Level.WARN);
            EmbeddingOverheadBench.HELIDON_LOG.setLevel(java.util.logging.Level.WARNING);
            dataDir = Files.createTempDirectory("hearth-bench-batching");
            Path catalog = Files.createDirectories(dataDir.resolve("catalog"));
            String entry;
            try (var in = BatchingBench.class.getResourceAsStream("/models/" + SLUG + ".yaml")) {
                entry = new String(in.readAllBytes());
            }
            if (!entry.contains("\nscaling:\n") || !entry.contains("\nrunner:\n")) throw new IllegalStateException(SLUG + ".yaml changed shape");
            entry = switch (batching) {
                case "off" -> entry.replace("\nscaling:\n", "\nscaling:\n  batch_window_ms: 0\n");
                case "on" -> entry;
                case "padded" -> entry.replace("\nrunner:\n", "\nrunner:\n  paddedBatches: true\n");
                default -> throw new IllegalArgumentException(batching);
            };
            Files.writeString(catalog.resolve(SLUG + ".yaml"), entry);
            Path config = Files.writeString(dataDir.resolve("bench.yaml"), EmbeddingOverheadBench.Server.CONFIG);
            app = new HearthApp(ConfigLoader.load(config, Map.of(), Map.of("data_dir", dataDir.toString(), "catalog.dir", catalog.toString(),
                    "server.host", "127.0.0.1", "server.port", "0", "admin.key", EmbeddingOverheadBench.Server.ADMIN_KEY)));
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            try {
                base = "http://127.0.0.1:" + app.serve();
                JsonNode account = post(base + "/admin/accounts", EmbeddingOverheadBench.Server.ADMIN_KEY,
                        Json.object().put("name", "bench").put("plan", "bench").put("free_credits", 0));
                key = account.path("api_key").asText();
                post(base + "/admin/accounts/" + account.path("account_id").asText() + "/credits", EmbeddingOverheadBench.Server.ADMIN_KEY,
                        Json.object().put("amount", 1000).put("kind", "paid").put("reference", "bench-1"));
                // the first call boots the model: outside the measurement
                EmbeddingOverheadBench.call(http, request(base, key, "warm-up"));
            } catch (Exception | Error e) {
                stop();
                throw e;
            }
        }

        private JsonNode post(String url, String key, ObjectNode body) throws Exception {
            HttpRequest r = HttpRequest.newBuilder(URI.create(url)).header("x-api-key", key).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.text(body))).build();
            return Json.MAPPER.readTree(EmbeddingOverheadBench.call(http, r));
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            if (app != null) {
                long[] rj = app.pool().runsAndJobs(SLUG);
                System.out.printf("%nbatching=%s: %d runner calls for %d jobs, mean batch %.2f%n", batching, rj[0], rj[1],
                        rj[0] == 0 ? 0 : (double) rj[1] / rj[0]);
            }
            if (http != null) http.close();
            if (app != null) app.close();
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static HttpRequest request(String base, String key, String text) {
        return HttpRequest.newBuilder(URI.create(base + "/v1/" + SLUG)).timeout(Duration.ofSeconds(60))
                .header("x-api-key", key).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.text(Json.object().put("text", text)))).build();
    }

    /** Each caller's own short text (about 12 to 16 tokens), so a batch holds different texts, as in real traffic. */
    @State(Scope.Thread)
    public static class Caller {
        HttpRequest embed;

        @Setup(Level.Trial)
        public void prepare(Server server, ThreadParams thread) {
            int i = thread.getThreadIndex();
            embed = request(server.base, server.key, "Caller " + i + " asks how Hearth runs model number " + (i * 7 % 31) + " on a CPU.");
        }
    }

    @Benchmark
    public String embed(Server server, Caller caller) throws Exception {
        return EmbeddingOverheadBench.call(server.http, caller.embed);
    }
}
