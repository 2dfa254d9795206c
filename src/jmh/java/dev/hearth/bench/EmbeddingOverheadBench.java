package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.HearthApp;
import dev.hearth.catalog.Catalog;
import dev.hearth.config.ConfigLoader;
import dev.hearth.http.Json;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerSpec;
import dev.hearth.runners.embedding.OnnxEmbeddingRunnerFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the gateway costs on top of the model: one short sentence embedded by bge-small-en-v1.5, (a) by the
 * runner called directly and (b) through a real Hearth over HTTP, so the ratio of the two throughputs is the
 * share of the work that is the model. Both sit in one class so one JMH run measures them on the same machine
 * minutes apart; see bench/README.md for the commands and the numbers.
 *
 * <p>(b) pays for everything a client's call pays for: HTTP parsing, key lookup, schema validation, the
 * credit hold and its settlement in SQLite, the usage record, and writing the 384 floats as JSON. The client
 * (java.net.http, keep-alive) runs in the same JVM and on the same cores, so its own cost is counted too.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class EmbeddingOverheadBench {

    /** Helidon logs through java.util.logging, which forgets the level of a logger nobody holds. */
    static final java.util.logging.Logger HELIDON_LOG = java.util.logging.Logger.getLogger("io.helidon");

    static final String SLUG = "bge-small-en-v1.5";
    static final String SENTENCE = "Hearth runs AI models behind a Segmind-compatible HTTP API.";

    /** The catalog's own runner for the model, booted here without a gateway around it. */
    @State(Scope.Benchmark)
    public static class Direct {
        Runner runner;
        ObjectNode params;

        @Setup(Level.Trial)
        public void boot() throws Exception {
            // The same runner section the gateway boots (model, tokenizer, pooling, normalize).
            RunnerSpec spec = Catalog.load("").resolve(SLUG).runner();
            runner = new OnnxEmbeddingRunnerFactory().boot(spec, BootProgress.NONE);
            params = Json.object().put("text", SENTENCE);
            RunOutput.Json out = (RunOutput.Json) runner.run(new RunInput("bench", params, null));
            if (out.body().path("embeddings").path(0).size() != 384) throw new IllegalStateException("unexpected output: " + out.body());
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            runner.close();
        }
    }

    /** A Hearth on SQLite in a temp folder, with one funded account, and a keep-alive client. */
    @State(Scope.Benchmark)
    public static class Server {
        /** A fixed admin key: "SG_" and 32 characters from [A-Za-z0-9], like every key. */
        static final String ADMIN_KEY = "SG_benchAdminKey0000000000000000000";
        /** A plan whose limits never bind: this measures the gateway's work, not a rate limiter's refusals. */
        static final String CONFIG = """
                plans:
                  bench:
                    requests_per_minute: 1000000000
                    read_requests_per_minute: 1000000000
                    concurrent_jobs: 100000
                    paid: true
                """;

        Path dataDir;
        HearthApp app;
        HttpClient http;
        HttpRequest embed;

        @Setup(Level.Trial)
        public void start() throws Exception {
            // Start, boot and stop lines would land in the middle of JMH's iteration lines; warnings still show.
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(ch.qos.logback.classic.Level.WARN);
            HELIDON_LOG.setLevel(java.util.logging.Level.WARNING);
            dataDir = Files.createTempDirectory("hearth-bench");
            Path config = Files.writeString(dataDir.resolve("bench.yaml"), CONFIG);
            app = new HearthApp(ConfigLoader.load(config, Map.of(), Map.of(
                    "data_dir", dataDir.toString(), "server.host", "127.0.0.1", "server.port", "0", "admin.key", ADMIN_KEY)));
            // HTTP/1.1 keep-alive: the client reuses one connection per benchmark thread.
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            try {
                prepare("http://127.0.0.1:" + app.serve());
            } catch (Exception | Error e) {
                stop(); // JMH skips the teardown when the setup fails; a live server would keep the fork from exiting
                throw e;
            }
        }

        private void prepare(String base) throws Exception {
            // The account is made the way an operator makes one: through the admin HTTP API.
            JsonNode account = post(base + "/admin/accounts", ADMIN_KEY, Json.object().put("name", "bench").put("plan", "bench").put("free_credits", 0));
            String key = account.path("api_key").asText();
            // $1000 at $0.0001 a call is 10 million calls: far more than any run makes.
            post(base + "/admin/accounts/" + account.path("account_id").asText() + "/credits", ADMIN_KEY,
                    Json.object().put("amount", 1000).put("kind", "paid").put("reference", "bench-1"));

            embed = HttpRequest.newBuilder(URI.create(base + "/v1/" + SLUG)).timeout(Duration.ofSeconds(60))
                    .header("x-api-key", key).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.text(Json.object().put("text", SENTENCE)))).build();
            // The first call boots the model (scale from zero); keep that out of the warm-up iterations.
            JsonNode first = Json.MAPPER.readTree(call(http, embed));
            if (first.path("embeddings").path(0).size() != 384) throw new IllegalStateException("unexpected output: " + first);
        }

        private JsonNode post(String url, String key, ObjectNode body) throws Exception {
            HttpRequest r = HttpRequest.newBuilder(URI.create(url)).header("x-api-key", key).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.text(body))).build();
            return Json.MAPPER.readTree(call(http, r));
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            http.close();
            app.close();
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Benchmark
    public RunOutput inProcess(Direct direct) throws Exception {
        return direct.runner.run(new RunInput("bench", direct.params, null));
    }

    @Benchmark
    public String overHttp(Server server) throws Exception {
        return call(server.http, server.embed);
    }

    /** Any answer but 200 fails the run: a fast 4xx must never pass for a fast embedding. */
    static String call(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
        return r.body();
    }
}
