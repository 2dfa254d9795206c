package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.billing.Balance;
import dev.hearth.billing.EntryKind;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The v2 API over HTTP (SPEC §3.2): submit, poll, result, failure as 422, privacy, expiry, idempotency, cancel, seeds. */
class AsyncApiIT {

    static HearthServer server;
    static ScriptedRunners scripted = new ScriptedRunners();
    String accountId;
    String key;

    @BeforeAll
    static void start() throws IOException {
        server = HearthServer.start(HearthServer.Store.SQLITE,
                Map.of("catalog.dir", ScriptedRunners.catalogDir().toString(), "jobs.record_ttl", "3"),
                Map.of("scripted", scripted));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void account() {
        JsonNode acc = server.createAccount("async", "pro", "1");
        accountId = acc.get("account_id").asText();
        key = acc.get("api_key").asText();
    }

    private JsonNode submit(String slug, String body) {
        Reply r = server.post("/v2/" + slug, key, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private Reply awaitTerminal(String id) {
        Reply[] last = new Reply[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            last[0] = server.get("/v2/requests/" + id + "/status", key);
            String s = last[0].json().get("status").asText();
            return s.equals("COMPLETED") || s.equals("FAILED") || s.equals("CANCELED");
        });
        return server.get("/v2/requests/" + id, key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bge-small-en-v1.5", "all-minilm-l6-v2"})
    void roundTripReturnsTheEnvelopeThenTheOutputWithMetrics(String model) {
        JsonNode env = submit(model, "{\"input\": [\"a\", \"b\"]}");
        String id = env.get("request_id").asText();
        assertThat(env.get("status").asText()).isEqualTo("QUEUED");
        assertThat(env.get("poll_url").asText()).isEqualTo(server.base + "/v1/requests/" + id);
        assertThat(env.get("status_url").asText()).isEqualTo(server.base + "/v2/requests/" + id + "/status");
        assertThat(env.get("response_url").asText()).isEqualTo(server.base + "/v2/requests/" + id);
        Reply result = awaitTerminal(id);
        assertThat(result.status()).isEqualTo(200);
        JsonNode r = result.json();
        assertThat(r.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(r.get("output").get("embeddings")).hasSize(2);
        assertThat(r.get("error").isNull()).isTrue();
        JsonNode m = r.get("metrics");
        assertThat(m.get("cost").decimalValue()).isEqualByComparingTo("0.0002");
        assertThat(m.get("remaining_credits").decimalValue()).isEqualByComparingTo("0.9998");
        assertThat(m.get("inference_time").isNumber()).isTrue();
        assertThat(m.get("queue_time").isNumber()).isTrue();
        assertThat(m.get("total_time").decimalValue()).isGreaterThanOrEqualTo(m.get("inference_time").decimalValue());
        // the legacy poll answers the same
        assertThat(server.get("/v1/requests/" + id, key).json().get("output")).isEqualTo(r.get("output"));
        assertThat(server.app.ledger.balance(accountId).held()).isZero();
    }

    @Test
    void aFailedRequestIsServedAs422OnAllThreeRoutesAndIsNotCharged() {
        String id = submit("scripted-throws", "{}").get("request_id").asText();
        awaitTerminal(id);
        for (String path : new String[]{"/v2/requests/" + id + "/status", "/v2/requests/" + id, "/v1/requests/" + id}) {
            Reply r = server.get(path, key);
            assertThat(r.status()).as(path).isEqualTo(422);
            assertThat(r.json().get("status").asText()).isEqualTo("FAILED");
        }
        assertThat(server.get("/v2/requests/" + id, key).json().get("error").asText()).contains("failed while running");
        assertThat(server.app.ledger.balance(accountId)).isEqualTo(new Balance(0, 1_000_000_000L, 0));
    }

    @Test
    void anotherAccountGets404AndARecordExpires() {
        String id = submit("bge-small-en-v1.5", "{\"text\": \"mine\"}").get("request_id").asText();
        awaitTerminal(id);
        String other = server.createAccount("other", "pro", "1").get("api_key").asText();
        for (String path : new String[]{"/v2/requests/" + id + "/status", "/v2/requests/" + id, "/v1/requests/" + id}) {
            Reply r = server.get(path, other);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.json().get("error").asText()).isEqualTo("Request " + id + " not found");
        }
        assertThat(server.post("/v2/requests/" + id + "/cancel", other, "{}").status()).isEqualTo(404);
        // jobs.record_ttl is 3 s in this test
        await().atMost(Duration.ofSeconds(15)).until(() -> server.get("/v2/requests/" + id, key).status() == 404);
        assertThat(server.get("/v2/requests/" + id, key).json().get("error").asText()).isEqualTo("Request " + id + " not found");
    }

    @Test
    void theSameIdempotencyKeyAndBodyGiveTheSameRequestADifferentBodyIs422() {
        String first = idempotent("k-1", "{\"text\": \"once\"}");
        String again = idempotent("k-1", "{ \"text\" : \"once\" }");
        assertThat(again).isEqualTo(first);
        awaitTerminal(first);
        assertThat(server.app.ledger.entries(accountId, 10).stream().filter(e -> e.kind() == EntryKind.CHARGE).count()).isEqualTo(1);
        HttpResponse<String> different = rawIdempotent("k-1", "{\"text\": \"twice\"}");
        assertThat(different.statusCode()).isEqualTo(422);
        assertThat(different.body()).contains("Idempotency-Key");
    }

    private String idempotent(String idemKey, String body) {
        HttpResponse<String> r = rawIdempotent(idemKey, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body().replaceAll(".*\"request_id\":\"([^\"]+)\".*", "$1");
    }

    private HttpResponse<String> rawIdempotent(String idemKey, String body) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.base + "/v2/bge-small-en-v1.5"))
                    .header("x-api-key", key).header("Content-Type", "application/json").header("Idempotency-Key", idemKey)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void cancelingAQueuedAndARunningRequestReleasesTheirHolds() {
        // scripted-sleeps has one slot: the first request runs, the second waits in the queue
        String running = submit("scripted-sleeps", "{\"millis\": 20000}").get("request_id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                server.get("/v2/requests/" + running + "/status", key).json().get("status").asText().equals("PROCESSING"));
        String queued = submit("scripted-sleeps", "{\"millis\": 20000}").get("request_id").asText();
        assertThat(server.get("/v2/requests/" + queued + "/status", key).json().get("status").asText()).isEqualTo("QUEUED");
        assertThat(server.app.ledger.balance(accountId).held()).isEqualTo(20_000_000L);

        Reply c1 = server.post("/v2/requests/" + queued + "/cancel", key, "{}");
        assertThat(c1.status()).isEqualTo(200);
        assertThat(c1.json().get("status").asText()).isEqualTo("CANCELED");
        Reply c2 = server.post("/v2/requests/" + running + "/cancel", key, "{}");
        assertThat(c2.json().get("status").asText()).isEqualTo("CANCELED");
        Balance b = server.app.ledger.balance(accountId);
        assertThat(b.held()).isZero();
        assertThat(b.total()).isEqualTo(1_000_000_000L);
        assertThat(server.get("/v2/requests/" + running, key).json().get("metrics").get("cost").decimalValue()).isZero();
    }

    @Test
    void seedMinusOneIsDrawnAndReportedAGivenSeedPassesThrough() {
        Reply v1 = server.post("/v1/scripted-echo", key, "{\"seed\": -1}");
        assertThat(v1.status()).isEqualTo(200);
        long drawn = Long.parseLong(v1.header("x-seed-value"));
        assertThat(drawn).isBetween(0L, 2147483647L);
        assertThat(v1.json().get("echo").get("seed").asLong()).isEqualTo(drawn);
        Reply given = server.post("/v1/scripted-echo", key, "{\"seed\": 1234}");
        assertThat(given.header("x-seed-value")).isEqualTo("1234");
        Reply omitted = server.post("/v1/scripted-echo", key, "{}");
        assertThat(omitted.header("x-seed-value")).isEqualTo("42");

        String id = submit("scripted-echo", "{\"seed\": -1}").get("request_id").asText();
        JsonNode r = awaitTerminal(id).json();
        assertThat(r.get("seed").asLong()).isBetween(0L, 2147483647L).isEqualTo(r.get("output").get("echo").get("seed").asLong());
        // embedding models take no seed: no header
        assertThat(server.post("/v1/bge-small-en-v1.5", key, "{\"text\": \"x\"}").header("x-seed-value")).isNull();
    }
}
