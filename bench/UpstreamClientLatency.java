import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

/**
 * What the OpenAI runner's former HTTP client (the JDK HttpClient, HTTP/1.1, as runners/openai/Upstream built it
 * before it moved to net/Outbound; OutboundClientBench compares the candidates)
 * costs per call: 3,000 sequential chat completions from a virtual thread against the URL given (the
 * benchmark's instant upstream), after 3,000 to warm up. Prints p50 / p99.
 */
public class UpstreamClientLatency {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        String body = "{\"model\":\"bench\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0])).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long[] t = new long[3000];
        Thread th = Thread.ofVirtual().unstarted(() -> {
            try {
                for (int i = 0; i < 3000; i++) client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                for (int i = 0; i < t.length; i++) {
                    long t0 = System.nanoTime();
                    client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    t[i] = System.nanoTime() - t0;
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        th.start();
        th.join();
        Arrays.sort(t);
        System.out.printf("JDK HttpClient call  p50 %.3f ms  p99 %.3f ms%n", t[t.length / 2] / 1e6, t[t.length * 99 / 100] / 1e6);
    }
}
