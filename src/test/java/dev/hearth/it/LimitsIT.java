package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.Hearth;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Limits over real HTTP on one gateway: the read limit on the catalog and key routes with its 429 headers,
 * and the operator's per-account overrides through the admin API and the CLI.
 */
class LimitsIT {

    static HearthServer server;
    String accountId;
    String key;

    @BeforeAll
    static void start() {
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("limits.read_requests_per_minute", "3"), Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void account() {
        JsonNode acc = server.createAccount("limits", "free", "1");
        accountId = acc.get("account_id").asText();
        key = acc.get("api_key").asText();
    }

    @Test
    void readsAreLimitedPerAccountAndTheRefusalSaysWhichLimitAndWhen() {
        assertThat(server.get("/v1/models", key).status()).isEqualTo(200);
        assertThat(server.get("/v1/models/bge-small-en-v1.5", key).status()).isEqualTo(200);
        assertThat(server.get("/v1/keys", key).status()).isEqualTo(200);
        Instant before = Instant.now();
        Reply r = server.get("/v1/models", key);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.header("content-type")).startsWith("application/json");
        assertThat(r.json().size()).isEqualTo(1);
        assertThat(r.json().get("error").asText()).contains("Rate limit reached: 3 reads per minute of plan 'free'")
                .contains("allowed in 20 s");
        assertThat(r.header("Retry-After")).isEqualTo("20");
        assertThat(r.header("x-ratelimit-limit")).isEqualTo("3");
        assertThat(r.header("x-ratelimit-remaining")).isEqualTo("0");
        assertThat(r.header("x-ratelimit-reset")).isEqualTo("60");
        assertThat(Instant.parse(r.header("x-rate-limit-reset-at-utc"))).isAfter(before.plusSeconds(18));
        assertThat(server.get("/v1/keys", key).status()).isEqualTo(429);

        String other = server.createAccount("other", "free", "1").get("api_key").asText();
        assertThat(server.get("/v1/models", other).status()).as("another account has its own budget").isEqualTo(200);
        for (int i = 0; i < 6; i++) {
            assertThat(server.get("/v1/models", HearthServer.ADMIN_KEY).status()).as("the operator is not limited").isEqualTo(200);
        }
    }

    @Test
    void theOperatorSetsAndClearsAnAccountsOwnLimits() {
        String path = "/admin/accounts/" + accountId + "/limits";
        JsonNode shown = server.get(path, HearthServer.ADMIN_KEY).json();
        assertThat(shown.get("plan").asText()).isEqualTo("free");
        assertThat(shown.at("/effective/requests_per_minute").asLong()).isEqualTo(5);
        assertThat(shown.at("/effective/read_requests_per_minute").asLong()).isEqualTo(3);
        assertThat(shown.at("/effective/concurrent_jobs").asLong()).isEqualTo(1);
        assertThat(shown.at("/overrides/requests_per_minute").isNull()).isTrue();

        for (int i = 0; i < 3; i++) server.get("/v1/models", key);
        assertThat(server.get("/v1/models", key).status()).isEqualTo(429);

        Reply put = server.send("PUT", path, HearthServer.ADMIN_KEY, "application/json",
                "{\"read_requests_per_minute\": 10, \"concurrent_jobs\": 4}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().at("/effective/read_requests_per_minute").asLong()).isEqualTo(10);
        assertThat(put.json().at("/effective/concurrent_jobs").asLong()).isEqualTo(4);
        assertThat(put.json().at("/effective/requests_per_minute").asLong()).as("absent: the plan's").isEqualTo(5);
        assertThat(put.json().at("/overrides/read_requests_per_minute").asLong()).isEqualTo(10);
        Reply read = server.get("/v1/models", key);
        assertThat(read.status()).as("the new limit applies at once").isEqualTo(200);

        Reply cleared = server.send("DELETE", path, HearthServer.ADMIN_KEY, null, null);
        assertThat(cleared.json().at("/effective/read_requests_per_minute").asLong()).isEqualTo(3);
        assertThat(cleared.json().at("/overrides/concurrent_jobs").isNull()).isTrue();

        Reply plan = server.send("PUT", "/admin/accounts/" + accountId + "/plan", HearthServer.ADMIN_KEY, "application/json", "{\"plan\": \"pro\"}");
        assertThat(plan.status()).isEqualTo(200);
        JsonNode pro = server.get(path, HearthServer.ADMIN_KEY).json();
        assertThat(pro.at("/effective/requests_per_minute").asLong()).isEqualTo(50);
        assertThat(pro.at("/effective/concurrent_jobs").asLong()).isEqualTo(10);
        assertThat(pro.at("/effective/paid").asBoolean()).isTrue();
    }

    @Test
    void badOverridesAreRefusedAndChangeNothing() {
        String path = "/admin/accounts/" + accountId + "/limits";
        assertError(server.send("PUT", path, HearthServer.ADMIN_KEY, "application/json", "{\"rpm\": 5}"), 422, "$.rpm: unknown field");
        assertError(server.send("PUT", path, HearthServer.ADMIN_KEY, "application/json", "{\"concurrent_jobs\": 0}"), 422,
                "$.concurrent_jobs: must be a whole number from 1 to 1000000");
        assertError(server.send("PUT", path, HearthServer.ADMIN_KEY, "application/json", "{\"requests_per_minute\": \"ten\"}"), 422,
                "$.requests_per_minute: must be a whole number");
        assertError(server.send("PUT", path, HearthServer.ADMIN_KEY, "application/json", "{\"requests_per_minute\": 2.5}"), 422,
                "$.requests_per_minute: must be a whole number");
        assertError(server.send("PUT", path, key, "application/json", "{\"requests_per_minute\": 500}"), 403, "Admin routes take only the admin key");
        assertError(server.send("PUT", "/admin/accounts/acc_nope/limits", HearthServer.ADMIN_KEY, "application/json", "{}"), 404,
                "Account acc_nope not found");
        assertThat(server.get(path, HearthServer.ADMIN_KEY).json().at("/overrides").toString())
                .isEqualTo("{\"requests_per_minute\":null,\"read_requests_per_minute\":null,\"concurrent_jobs\":null}");
    }

    @Test
    void theCliSetsTheSameOverrides() {
        String data = server.app.config.dataDir();
        String out = cli("accounts", "limits", accountId, "--data", data, "--requests-per-minute", "42", "--concurrent-jobs", "3");
        JsonNode printed = parse(out);
        assertThat(printed.at("/effective/requests_per_minute").asLong()).isEqualTo(42);
        JsonNode shown = server.get("/admin/accounts/" + accountId + "/limits", HearthServer.ADMIN_KEY).json();
        assertThat(shown.at("/overrides/requests_per_minute").asLong()).isEqualTo(42);
        assertThat(shown.at("/overrides/concurrent_jobs").asLong()).isEqualTo(3);

        JsonNode back = parse(cli("accounts", "limits", accountId, "--data", data, "--requests-per-minute", "plan"));
        assertThat(back.at("/effective/requests_per_minute").asLong()).isEqualTo(5);
        assertThat(back.at("/overrides/concurrent_jobs").asLong()).as("options not given are kept").isEqualTo(3);
        JsonNode clear = parse(cli("accounts", "limits", accountId, "--data", data, "--clear"));
        assertThat(clear.at("/overrides/concurrent_jobs").isNull()).isTrue();
    }

    private static String cli(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new Hearth()).execute(args);
            assertThat(code).as(buf.toString(StandardCharsets.UTF_8)).isZero();
        } finally {
            System.setOut(original);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static void assertError(Reply r, int status, String messagePart) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().get("error").asText()).contains(messagePart);
    }
}
