package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.accounts.Authenticator;
import dev.hearth.billing.Balance;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every error code of SPEC §2 that the sync API can produce, with its exact body, and after each one the
 * proof that nothing was charged or left held: balance, holds and ledger are as before.
 */
class ErrorCodesIT {

    static HearthServer server;
    String accountId;
    String key;
    Balance before;
    long ledgerBefore;

    @BeforeAll
    static void start() throws IOException {
        server = HearthServer.start(HearthServer.Store.SQLITE,
                Map.of("catalog.dir", ScriptedRunners.catalogDir().toString()),
                Map.of("scripted", new ScriptedRunners()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void account() {
        JsonNode acc = server.createAccount("errors", "pro", "1");
        accountId = acc.get("account_id").asText();
        key = acc.get("api_key").asText();
        before = server.app.ledger.balance(accountId);
        ledgerBefore = server.app.ledger.ledgerSum(accountId);
    }

    @AfterEach
    void nothingChargedOrHeld() {
        Balance after = server.app.ledger.balance(accountId);
        assertThat(after).as("balance after the refused call").isEqualTo(before);
        assertThat(after.held()).isZero();
        assertThat(server.app.ledger.ledgerSum(accountId)).isEqualTo(ledgerBefore);
    }

    private Reply embed(String body) {
        return server.send("POST", "/v1/bge-small-en-v1.5", key, "application/json", body);
    }

    private static void assertError(Reply r, int status, String messagePart) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("application/json");
        assertThat(r.json().get("error").asText()).contains(messagePart);
        assertThat(r.json().size()).isEqualTo(1);
    }

    @Test
    void malformedJsonIs400() {
        assertError(embed("{\"text\": "), 400, "not valid JSON");
        assertError(embed("[1, 2]"), 400, "must be a JSON object");
        assertError(embed("{\"text\": \"a\"} trailing"), 400, "not valid JSON");
    }

    @Test
    void missingAndInvalidKeysAre401WithTheSpecBodies() {
        Reply missing = server.send("POST", "/v1/bge-small-en-v1.5", null, "application/json", "{\"text\":\"a\"}");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("error").asText()).isEqualTo(Authenticator.MISSING);
        Reply invalid = server.send("POST", "/v1/bge-small-en-v1.5", "SG_notARealKey00000000000000000000", "application/json", "{\"text\":\"a\"}");
        assertThat(invalid.status()).isEqualTo(401);
        assertThat(invalid.json().get("error").asText()).isEqualTo(Authenticator.INVALID);
        Reply garbage = server.send("GET", "/v1/get-user-credits", "not even a key", null, null);
        assertThat(garbage.json().get("error").asText()).isEqualTo(Authenticator.INVALID);
    }

    @Test
    void bearerTokenIsAcceptedToo() {
        var req = java.net.http.HttpRequest.newBuilder(URI.create(server.base + "/v1/get-user-credits"))
                .header("Authorization", "Bearer " + key).build();
        try {
            var r = java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("free-credits");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void revokedKeyIs401AndSuspendedAccountIs403() {
        Reply created = server.post("/v1/keys", key, "{}");
        String second = created.json().get("api_key").asText();
        String secondId = created.json().get("key_id").asText();
        assertThat(server.get("/v1/get-user-credits", second).status()).isEqualTo(200);
        assertThat(server.send("DELETE", "/v1/keys/" + secondId, key, null, null).status()).isEqualTo(200);
        assertError(server.get("/v1/get-user-credits", second), 401, Authenticator.INVALID);

        assertThat(server.post("/admin/accounts/" + accountId + "/suspend", HearthServer.ADMIN_KEY, "{}").status()).isEqualTo(200);
        assertError(embed("{\"text\":\"a\"}"), 403, "suspended");
        assertThat(server.post("/admin/accounts/" + accountId + "/unsuspend", HearthServer.ADMIN_KEY, "{}").status()).isEqualTo(200);
        assertThat(server.get("/v1/get-user-credits", key).status()).isEqualTo(200);
    }

    @Test
    void unknownModelIs404AndRetiredIs410AndWrongMethodIs405() {
        assertError(server.post("/v1/no-such-model", key, "{}"), 404, "Model 'no-such-model' not found");
        assertError(server.post("/v1/old-model", key, "{}"), 410, "retired");
        Reply r = server.get("/v1/bge-small-en-v1.5", key);
        assertError(r, 405, "not allowed");
        assertThat(r.header("allow")).isEqualTo("POST");
        assertError(server.get("/nothing/here", key), 404, "No route");
    }

    @Test
    void insufficientBalanceIs406NamingBalanceAndPrice() {
        // scripted models cost $0.01; spend the $1 down to below that through a correction
        assertThat(server.grant(accountId, "-0.995", "free", "spend-down").status()).isEqualTo(200);
        before = server.app.ledger.balance(accountId);
        ledgerBefore = server.app.ledger.ledgerSum(accountId);
        Reply r = server.post("/v1/scripted-echo", key, "{}");
        assertError(r, 406, "balance of $0.005");
        assertThat(r.json().get("error").asText()).contains("price of $0.01");
    }

    @Test
    void wrongContentTypeIs406() {
        assertError(server.send("POST", "/v1/bge-small-en-v1.5", key, "text/plain", "{\"text\":\"a\"}"), 406, "Content-Type");
        assertError(server.send("POST", "/v1/bge-small-en-v1.5", key, "application/x-www-form-urlencoded", "text=a"), 406, "Content-Type");
    }

    @Test
    void wrongTypesAndMissingFieldsAre422NamingTheField() {
        assertError(embed("{\"text\": 5}"), 422, "$.text");
        assertError(embed("{\"input\": [\"a\", 3]}"), 422, "$.input");
        assertError(embed("{}"), 422, "Invalid parameters");
        assertError(embed("{\"text\": \"a\", \"colour\": \"red\"}"), 422, "colour");
        assertError(server.post("/v1/scripted-echo", key, "{\"seed\": \"seven\"}"), 422, "$.seed");
    }

    @Test
    void modelFailureIs500TimeoutIs504BootFailureIs503() {
        assertError(server.post("/v1/scripted-throws", key, "{}"), 500, "failed while running");
        Reply timeout = server.post("/v1/scripted-hangs", key, "{}");
        assertError(timeout, 504, "execution timeout");
        assertThat(timeout.header("x-request-id")).isNotBlank();
        assertError(server.post("/v1/scripted-boot-fails", key, "{}"), 503, "could not be booted");
        JsonNode status = server.get("/v1/models/scripted-boot-fails", key).json();
        assertThat(status.get("status").asText()).isEqualTo("failed");
        assertThat(status.get("status_detail").asText()).contains("corrupt");
    }

    @Test
    void bodyOverTheLimitIs413WithoutBufferingItAndTheServerStaysHealthy() throws IOException {
        long size = 80L * 1024 * 1024;
        HttpURLConnection c = (HttpURLConnection) URI.create(server.base + "/v1/bge-small-en-v1.5").toURL().openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("x-api-key", key);
        c.setRequestProperty("Content-Type", "application/json");
        c.setChunkedStreamingMode(64 * 1024); // no Content-Length: the server must count as it reads
        byte[] chunk = new byte[1024 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'a');
        try (OutputStream out = c.getOutputStream()) {
            out.write("{\"text\":\"".getBytes());
            for (long sent = 0; sent < size; sent += chunk.length) out.write(chunk);
        } catch (IOException expected) {
            // the server may close the connection as soon as it has refused the body
        }
        assertThat(c.getResponseCode()).isEqualTo(413);
        try (InputStream err = c.getErrorStream()) {
            assertThat(new String(err.readAllBytes())).contains("over the limit");
        }
        assertThat(server.get("/health/ready", null).status()).isEqualTo(200);
        assertThat(embed("{\"text\":\"still works\"}").status()).isEqualTo(200);
        before = server.app.ledger.balance(accountId);
        ledgerBefore = server.app.ledger.ledgerSum(accountId);
    }

    @Test
    void declaredContentLengthOverTheLimitIsRefusedBeforeReading() throws IOException {
        URI uri = URI.create(server.base);
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            String head = "POST /v1/bge-small-en-v1.5 HTTP/1.1\r\nHost: localhost\r\nx-api-key: " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (80L * 1024 * 1024) + "\r\n\r\n{\"text\":\"";
            socket.getOutputStream().write(head.getBytes());
            socket.getOutputStream().flush();
            // only the head and a few bytes were sent: the answer must come without the other 80 MB
            String answer = new String(socket.getInputStream().readNBytes(12));
            assertThat(answer).isEqualTo("HTTP/1.1 413");
        }
    }

    @Test
    void theAdminKeyCannotCallModelsAndAccountKeysCannotCallAdminRoutes() {
        assertError(server.post("/v1/bge-small-en-v1.5", HearthServer.ADMIN_KEY, "{\"text\":\"a\"}"), 403, "admin key");
        assertError(server.post("/admin/accounts", key, "{\"name\":\"x\"}"), 403, "admin key");
    }
}
