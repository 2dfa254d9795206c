package dev.hearth.bench;

import dev.hearth.net.AddressGuard;
import dev.hearth.net.GuardedHttp;
import dev.hearth.net.HostResolver;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.WebServer;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Which outbound HTTP client Hearth should use (issue 14): one POST of a small JSON chat request to an upstream
 * that answers at once ({@link InstantUpstream}, started in this JVM on 127.0.0.1), timed per call. Every client
 * is built once and shared by all benchmark threads, with keep-alive, as a runner would hold it:
 * <ul>
 *   <li>{@code jdk}: {@code java.net.http.HttpClient}, HTTP/1.1, as the runners built it;</li>
 *   <li>{@code helidon}: Helidon WebClient (HTTP/1.1), the server's own stack;</li>
 *   <li>{@code okhttp}: OkHttp with a pool of up to 32 idle connections (Hearth's {@code Outbound.trusted} is
 *       this client, with 64);</li>
 *   <li>{@code guarded}: {@code GuardedHttp} as media fetches and webhooks use it (address guard, the host
 *       resolved and checked, one connection per request: no keep-alive), loopback allowed for the run. Until
 *       the switch to one client it ran on Hearth's own HTTP/1.1 exchange ({@code Http1Exchange}); now it runs
 *       on OkHttp pinned to the checked address ({@code Outbound.pinned}).</li>
 * </ul>
 * Sample mode gives p50/p99 per call; bench/outbound-client.sh runs it with 1 and 8 threads and turns the mean
 * into calls per second. The answer is read to its end in every case, as a runner must.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class OutboundClientBench {

    static final byte[] BODY = "{\"model\":\"bench\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}".getBytes(StandardCharsets.UTF_8);
    static final String PATH = "/v1/chat/completions";

    @State(Scope.Benchmark)
    public static class Upstream {
        @Param({"jdk", "helidon", "okhttp", "guarded"})
        public String client;

        WebServer server;
        String url;
        Call call;

        @Setup
        public void start() throws Exception {
            server = InstantUpstream.start(0);
            url = "http://127.0.0.1:" + server.port() + PATH;
            call = switch (client) {
                case "jdk" -> jdk(url);
                case "helidon" -> helidon(server.port());
                case "okhttp" -> okhttp(url);
                case "guarded" -> guarded(url);
                default -> throw new IllegalArgumentException(client);
            };
            int length = call.post();
            if (length < 10) throw new IllegalStateException(client + " read " + length + " bytes");
        }

        @TearDown
        public void stop() {
            server.stop();
        }
    }

    /** One POST, answer read whole; returns the answer's length so nothing is optimised away. */
    interface Call {
        int post() throws Exception;
    }

    static Call jdk(String url) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build();
        return () -> {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
            return r.body().length;
        };
    }

    static Call helidon(int port) {
        WebClient http = WebClient.builder().baseUri("http://127.0.0.1:" + port).connectTimeout(Duration.ofSeconds(10)).build();
        return () -> {
            try (HttpClientResponse r = http.post(PATH).header(HeaderValues.CONTENT_TYPE_JSON).submit(BODY)) {
                if (r.status().code() != 200) throw new IllegalStateException("HTTP " + r.status());
                return r.as(byte[].class).length;
            }
        };
    }

    static Call okhttp(String url) {
        OkHttpClient http = new OkHttpClient.Builder().connectionPool(new ConnectionPool(32, 5, TimeUnit.MINUTES))
                .connectTimeout(Duration.ofSeconds(10)).build();
        Request request = new Request.Builder().url(url).post(RequestBody.create(BODY, MediaType.get("application/json"))).build();
        return () -> {
            try (Response r = http.newCall(request).execute()) {
                if (r.code() != 200) throw new IllegalStateException("HTTP " + r.code());
                return r.body().bytes().length;
            }
        };
    }

    static Call guarded(String url) {
        GuardedHttp http = new GuardedHttp(new AddressGuard(List.of("127.0.0.0/8"), HostResolver.SYSTEM),
                Duration.ofSeconds(10), Duration.ofSeconds(30), 5);
        return () -> {
            GuardedHttp.Answer a = http.postJson(url, Map.of(), BODY);
            if (a.status() != 200) throw new IllegalStateException("HTTP " + a.status());
            return a.bodyStart().length();
        };
    }

    @Benchmark
    public int post(Upstream u) throws Exception {
        return u.call.post();
    }
}
