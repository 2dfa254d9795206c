package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.HearthApp;
import dev.hearth.billing.Balance;
import dev.hearth.config.ConfigLoader;
import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An endpoint across a stop and a start of Hearth on the same data: it comes back with its warm worker, a v2 job
 * interrupted by the stop runs again on the endpoint (not the public pool), and the ledger holds exactly what
 * was charged, with no hold left open once the endpoint is deleted.
 */
class EndpointsRestartIT {

    final HttpClient http = HttpClient.newHttpClient();
    String base;

    @Test
    void anEndpointAndItsUnfinishedV2JobSurviveARestart() throws Exception {
        Path data = Files.createTempDirectory("hearth-endpoints-restart");
        EndpointsIT.TaggedRunners tagged = new EndpointsIT.TaggedRunners();
        Map<String, String> o = new HashMap<>(EndpointsIT.config());
        o.put("data_dir", data.toString());
        o.put("server.port", "0");
        o.put("server.host", "127.0.0.1");
        o.put("admin.key", HearthServer.ADMIN_KEY);
        String key, accountId, requestId;
        HearthApp first = new HearthApp(ConfigLoader.load(null, Map.of(), o), Map.of("tagged", tagged));
        try {
            base = "http://127.0.0.1:" + first.serve();
            JsonNode acc = send("POST", "/admin/accounts", HearthServer.ADMIN_KEY, "{\"name\": \"restart\", \"plan\": \"pro\", \"free_credits\": 10}");
            key = acc.get("api_key").asText();
            accountId = acc.get("account_id").asText();
            send("POST", "/endpoint/add", key, "{\"endpoint_name\": \"durable\", \"model_name\": \"tagged\", \"workers_min\": 1}");
            await().atMost(Duration.ofSeconds(10)).until(() -> "ready".equals(endpoint(key).get("status").asText()));
            requestId = send("POST", "/v2/durable", key, "{\"millis\": 4000}").get("request_id").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> "PROCESSING".equals(send("GET", "/v2/requests/" + requestId + "/status", key, null)
                    .get("status").asText()));
        } finally {
            first.close();
        }
        String bootedBefore = tagged.lastBooted.get();

        HearthApp second = new HearthApp(ConfigLoader.load(null, Map.of(), o), Map.of("tagged", tagged));
        try {
            base = "http://127.0.0.1:" + second.serve();
            // the endpoint is back, warm again with a new worker
            await().atMost(Duration.ofSeconds(10)).until(() -> "ready".equals(endpoint(key).get("status").asText()));
            // the interrupted job ran again, on the endpoint's new worker
            await().atMost(Duration.ofSeconds(20)).until(() -> "COMPLETED".equals(send("GET", "/v2/requests/" + requestId + "/status", key, null)
                    .get("status").asText()));
            JsonNode done = send("GET", "/v2/requests/" + requestId, key, null);
            assertThat(done.get("output").get("instance").asText()).isNotEqualTo(bootedBefore).startsWith("instance-");
            assertThat(done.get("output").get("instance").asText()).isEqualTo(endpointWorkerInstance(tagged));

            JsonNode deleted = send("DELETE", "/endpoint/delete", key, "{\"endpoint_name\": \"durable\"}");
            assertThat(deleted.get("worker_seconds_billed").asDouble()).isPositive();
            Balance b = second.ledger.balance(accountId);
            assertThat(b.held()).isZero();
            assertThat(second.ledger.ledgerSum(accountId)).isEqualTo(b.total());
        } finally {
            second.close();
            HearthServer.deleteQuietly(data);
        }
    }

    /** The endpoint's worker after the restart is the last instance booted: no public-pool instance exists here. */
    private static String endpointWorkerInstance(EndpointsIT.TaggedRunners tagged) {
        return tagged.lastBooted.get();
    }

    private JsonNode endpoint(String key) throws Exception {
        return send("GET", "/endpoint/list", key, null).get("endpoints").get(0);
    }

    private JsonNode send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).header("x-api-key", key);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }
}
