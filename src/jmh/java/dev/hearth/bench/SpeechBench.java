package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.HearthApp;
import dev.hearth.config.ConfigLoader;
import dev.hearth.http.Json;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.speech.SpeechRunnerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code text-to-speech} (FreeTTS from the artifact cache), as a plain program like {@link ImageModelsBench}:
 * first boot with the download into an empty cache, boot from the cache, the first and warm calls; the heap and
 * resident memory the warm model adds; then the same sentence spoken in process and over HTTP through a Hearth
 * in this JVM, alternating in rounds so the machine's state weighs on both. bench/speech.sh runs it; the numbers
 * are in bench/SPEECH.md.
 */
public final class SpeechBench {

    static final String SENTENCE = "The quick brown fox jumps over the lazy dog.";
    static final String ADMIN_KEY = "SG_benchAdminKey0000000000000000000";

    public static void main(String[] args) throws Exception {
        Path empty = Files.createTempDirectory("hearth-bench-artifacts");
        try {
            System.gc();
            long heapBefore = ImageModelsBench.heapUsed();
            String rssBefore = rss();
            long t = System.nanoTime();
            Runner first = ImageModelsBench.boot(ImageModelsBench.cache(empty), "text-to-speech", new SpeechRunnerFactory());
            double download = ImageModelsBench.seconds(t);
            first.close();
            t = System.nanoTime();
            Runner runner = ImageModelsBench.boot(ImageModelsBench.cache(empty), "text-to-speech", new SpeechRunnerFactory());
            double cached = ImageModelsBench.seconds(t);
            ObjectNode params = Json.object().put("text", SENTENCE);
            t = System.nanoTime();
            RunOutput out = runner.run(new RunInput("bench", params, null));
            double firstCall = ImageModelsBench.seconds(t);
            int wavBytes = ((RunOutput.Media) out).bytes().length;
            for (int i = 0; i < 20; i++) runner.run(new RunInput("warm-up", params, null));
            System.gc();
            System.out.printf(Locale.ROOT, "text-to-speech first boot (download 9.3 MB + verify + load) %.2f s | boot from cache %.2f s | first call %.3f s | %d-byte WAV (%.2f s of speech)%n",
                    download, cached, firstCall, wavBytes, (wavBytes - 44) / 32000.0);
            System.out.printf(Locale.ROOT, "warm memory: heap %d MB before boot, %d MB with the model warm (after GC); RSS %s before, %s warm%n",
                    heapBefore >> 20, ImageModelsBench.heapUsed() >> 20, rssBefore, rss());

            HearthApp app = new HearthApp(ConfigLoader.load(Files.writeString(empty.resolve("bench.yaml"), """
                    plans:
                      bench: {requests_per_minute: 1000000000, read_requests_per_minute: 1000000000, concurrent_jobs: 100000, paid: true}
                    """), Map.of(), Map.of("data_dir", empty.resolve("data").toString(), "server.host", "127.0.0.1", "server.port", "0",
                    "admin.key", ADMIN_KEY, "artifacts.dir", empty.toString())));
            try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                String base = "http://127.0.0.1:" + app.serve();
                JsonNode account = post(http, base + "/admin/accounts", ADMIN_KEY, Json.object().put("name", "bench").put("plan", "bench").put("free_credits", 0));
                post(http, base + "/admin/accounts/" + account.path("account_id").asText() + "/credits", ADMIN_KEY,
                        Json.object().put("amount", 1000).put("kind", "paid").put("reference", "bench-1"));
                HttpRequest speak = HttpRequest.newBuilder(URI.create(base + "/v1/text-to-speech"))
                        .header("x-api-key", account.path("api_key").asText()).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.text(params))).build();
                t = System.nanoTime();
                send(http, speak);
                double httpCold = ImageModelsBench.seconds(t);
                for (int i = 0; i < 20; i++) send(http, speak);
                int rounds = 5, calls = 20;
                double direct = 0, overHttp = 0;
                for (int r = 0; r < rounds; r++) {
                    t = System.nanoTime();
                    for (int i = 0; i < calls; i++) runner.run(new RunInput("bench", params, null));
                    direct += ImageModelsBench.seconds(t);
                    t = System.nanoTime();
                    for (int i = 0; i < calls; i++) send(http, speak);
                    overHttp += ImageModelsBench.seconds(t);
                }
                int n = rounds * calls;
                System.out.printf(Locale.ROOT, "first HTTP call (cold boot from the cache + call) %.2f s%n", httpCold);
                System.out.printf(Locale.ROOT, "one client, %d calls each, alternating rounds: in process %.1f ms/call (%.1f calls/s), over HTTP %.1f ms/call (%.1f calls/s); HTTP / in-process throughput = %.2f%n",
                        n, 1000 * direct / n, n / direct, 1000 * overHttp / n, n / overHttp, direct / overHttp);
            } finally {
                app.close();
                runner.close();
            }
        } finally {
            try (Stream<Path> s = Files.walk(empty)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static JsonNode post(HttpClient http, String url, String key, ObjectNode body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(url)).header("x-api-key", key).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.text(body))).build();
        return Json.MAPPER.readTree(send(http, r));
    }

    static byte[] send(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + new String(r.body()));
        return r.body();
    }

    static String rss() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                .map(l -> l.replaceAll("\\s+", " ").substring(7)).findFirst().orElse("?");
    }
}
