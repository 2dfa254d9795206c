package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.billing.Balance;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The attacks of the hardening issue, each replayed against a running Hearth: free data amplification by workflow
 * operations (item 1), numbers with huge exponents (3), key names, key counts and last use (4), embeddings
 * {@code dimensions}, non-canonical workflow versions and ambiguous webhook addresses (6). Each refusal has the
 * right code, names what is wrong, and charges nothing. (Slow connections, item 2: {@link ConnectionDeadlinesIT}.)
 */
class HostileClientIT {

    static HearthServer server;
    String accountId;
    String key;

    @BeforeAll
    static void start() throws IOException {
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", ScriptedRunners.catalogDir().toString(),
                        "workflows.max_operation_value_bytes", "1000", "workflows.max_run_output_bytes", "5000",
                        "accounts.max_keys_per_account", "4", "accounts.key_use_write_seconds", "1"),
                Map.of("scripted", new ScriptedRunners()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void account() {
        JsonNode a = server.createAccount("hostile-client", "pro", "5");
        accountId = a.get("account_id").asText();
        key = a.get("api_key").asText();
    }

    Balance balance() {
        return server.app.ledger.balance(accountId);
    }

    // ---- item 1: operations make bounded values

    static final String CHAIN = """
            {"nodes": [
              {"id": "in", "type": "input", "name": "text", "params": {"type": "text"}},
              %s
              {"id": "out", "type": "output", "name": "out"}],
             "edges": [%s {"from": "%s.text", "to": "out.value"}]}
            """;

    /** {@code n} text_concat nodes, each joining the previous output with itself (doubling it). */
    static String doublingChain(int n) {
        StringBuilder nodes = new StringBuilder();
        StringBuilder edges = new StringBuilder();
        String prev = "in.value";
        for (int i = 1; i <= n; i++) {
            nodes.append("{\"id\": \"c").append(i).append("\", \"type\": \"operation\", \"operation\": \"text_concat\", \"params\": {}},\n");
            edges.append("{\"from\": \"").append(prev).append("\", \"to\": \"c").append(i).append(".a\"}, ");
            edges.append("{\"from\": \"").append(prev).append("\", \"to\": \"c").append(i).append(".b\"}, ");
            prev = "c" + i + ".text";
        }
        return CHAIN.formatted(nodes, edges, "c" + n);
    }

    JsonNode runToEnd(String graph, String text) {
        ObjectNode save = Json.object().put("name", "amplifier").put("publish", true);
        try {
            save.set("graph", Json.MAPPER.readTree(graph));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Reply saved = server.post("/v1/workflows", key, save);
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        Reply run = server.post("/workflows/" + saved.json().get("workflow_id").asText() + "-v1", key, Json.object().put("text", text));
        assertThat(run.status()).as(run.body()).isEqualTo(200);
        String id = run.json().get("request_id").asText();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = server.get("/workflows/request/" + id, key).json();
            return !last[0].get("status").asText().matches("QUEUED|PROCESSING");
        });
        return last[0];
    }

    @Test
    void anOperationValueOverTheBoundFailsTheRunNamingIt() {
        JsonNode poll = runToEnd(doublingChain(8), "x".repeat(100)); // 100 → 200 → … → 1,600 bytes at the fifth node
        assertThat(poll.get("status").asText()).isEqualTo("FAILED");
        assertThat(poll.get("error").asText()).contains("workflows.max_operation_value_bytes");
        assertThat(balance().held()).isZero();
    }

    @Test
    void aRunsOperationsTogetherAreBounded() {
        // eight nodes each join the 450-byte input with itself: 900 bytes each, within the value bound
        StringBuilder nodes = new StringBuilder();
        StringBuilder edges = new StringBuilder();
        for (int i = 1; i <= 8; i++) {
            nodes.append("{\"id\": \"c").append(i).append("\", \"type\": \"operation\", \"operation\": \"text_concat\", \"params\": {}},\n");
            edges.append("{\"from\": \"in.value\", \"to\": \"c").append(i).append(".a\"}, {\"from\": \"in.value\", \"to\": \"c").append(i).append(".b\"}, ");
            if (i > 1) edges.append("{\"from\": \"c").append(i).append(".text\", \"to\": \"o").append(i).append(".value\"}, ");
        }
        for (int i = 2; i <= 8; i++) nodes.append("{\"id\": \"o").append(i).append("\", \"type\": \"output\", \"name\": \"o").append(i).append("\"},\n");
        JsonNode poll = runToEnd(CHAIN.formatted(nodes, edges, "c1"), "z".repeat(450)); // 8 × 900 = 7,200 bytes > 5,000
        assertThat(poll.get("status").asText()).isEqualTo("FAILED");
        assertThat(poll.get("error").asText()).contains("workflows.max_run_output_bytes");
    }

    @Test
    void aGraphWhoseFixedParametersPassTheBoundIsRefusedAtSave() throws IOException {
        String graph = """
                {"nodes": [
                  {"id": "in", "type": "input", "name": "text", "params": {"type": "text"}},
                  {"id": "t", "type": "operation", "operation": "text_template", "params": {"template": "%s {{a}}"}},
                  {"id": "out", "type": "output", "name": "out"}],
                 "edges": [{"from": "in.value", "to": "t.a"}, {"from": "t.text", "to": "out.value"}]}
                """.formatted("w".repeat(2_000));
        ObjectNode save = Json.object().put("name", "big-template");
        save.set("graph", Json.MAPPER.readTree(graph));
        Reply r = server.post("/v1/workflows", key, save);
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.json().get("error").asText()).contains("node 't'").contains("workflows.max_operation_value_bytes");
    }

    // ---- item 3: huge exponents

    @Test
    void hugeExponentsAre422NamingTheFieldAndChargeNothing() {
        Balance before = balance();
        for (String[] c : new String[][]{{"text", "1e10000"}, {"scale", "2e-10000"}, {"quality", "1e999999999"}}) {
            Reply r = server.post("/v1/scripted-echo", key, "{\"" + c[0] + "\": " + c[1] + "}");
            assertThat(r.status()).as(r.body()).isEqualTo(422);
            assertThat(r.json().get("error").asText()).startsWith("$." + c[0] + ":").contains("out of range");
            Reply v2 = server.post("/v2/scripted-echo", key, "{\"" + c[0] + "\": " + c[1] + "}");
            assertThat(v2.status()).as(v2.body()).isEqualTo(422);
        }
        Reply wf = server.post("/v1/workflows", key, """
                {"name": "d", "graph": {"nodes": [{"id": "n", "type": "input", "name": "n", "params": {"type": "number", "default": 1e10000}},
                 {"id": "o", "type": "output", "name": "o"}], "edges": [{"from": "n.value", "to": "o.value"}]}}""");
        assertThat(wf.status()).as(wf.body()).isEqualTo(422);
        assertThat(wf.json().get("error").asText()).startsWith("$.graph.nodes[0].params.default:");
        Reply openai = server.post("/v1/embeddings", key, "{\"model\": \"bge-small-en-v1.5\", \"input\": \"x\", \"user\": 1e10000}");
        assertThat(openai.status()).isEqualTo(422);
        assertThat(balance()).isEqualTo(before);
    }

    // ---- item 4: keys

    @Test
    void keyNamesMustBeShortText() {
        for (String body : new String[]{"{\"name\": 12}", "{\"name\": {\"a\": 1}}", "{\"name\": [\"x\"]}", "{\"name\": true}",
                "{\"name\": \"" + "n".repeat(101) + "\"}", "{\"name\": \"" + "n".repeat(5 << 20) + "\"}"}) {
            Reply r = server.post("/v1/keys", key, body);
            assertThat(r.status()).as(body.length() > 200 ? "long name" : body).isEqualTo(422);
            assertThat(r.json().get("error").asText()).startsWith("$.name:");
        }
        assertThat(server.post("/v1/keys", key, "{\"name\": \"" + "n".repeat(100) + "\"}").status()).isEqualTo(200);
        assertThat(server.post("/v1/keys", key, "{}").status()).isEqualTo(200);
        assertThat(server.get("/v1/keys", key).json().get("keys")).hasSize(3);
    }

    @Test
    void keysPerAccountAreCapped() {
        for (int i = 0; i < 3; i++) assertThat(server.post("/v1/keys", key, "{\"name\": \"k" + i + "\"}").status()).isEqualTo(200);
        Reply over = server.post("/v1/keys", key, "{\"name\": \"one too many\"}");
        assertThat(over.status()).isEqualTo(422);
        assertThat(over.json().get("error").asText()).contains("accounts.max_keys_per_account");
        assertThat(server.post("/admin/accounts/" + accountId + "/keys", HearthServer.ADMIN_KEY, "{}").status()).isEqualTo(422);
        String some = server.get("/v1/keys", key).json().get("keys").get(1).get("key_id").asText();
        assertThat(server.send("DELETE", "/v1/keys/" + some, key, null, null).status()).isEqualTo(200);
        assertThat(server.post("/v1/keys", key, "{\"name\": \"after a revocation\"}").status()).isEqualTo(200);
    }

    @Test
    void lastUsedAtIsWrittenSoonAfterAKeyIsUsed() {
        JsonNode mine = server.get("/v1/keys", key).json().get("keys").get(0);
        assertThat(server.get("/v1/get-user-credits", key).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode k = server.get("/v1/keys", key).json().get("keys").get(0);
            assertThat(k.get("key_id").asText()).isEqualTo(mine.get("key_id").asText());
            assertThat(k.get("last_used_at").isNull()).as("last_used_at of the key just used").isFalse();
        });
    }

    // ---- item 6: smaller holes

    @Test
    void embeddingDimensionsAreRefusedClearly() {
        Balance before = balance();
        for (String d : new String[]{"256", "384", "0", "\"x\"", "1.5"}) {
            Reply r = server.post("/v1/embeddings", key, "{\"model\": \"bge-small-en-v1.5\", \"input\": \"hello\", \"dimensions\": " + d + "}");
            assertThat(r.status()).as(d).isEqualTo(422);
            assertThat(r.json().get("error").asText()).startsWith("$.dimensions:").contains("omit dimensions");
        }
        assertThat(balance()).isEqualTo(before);
    }

    @Test
    void workflowVersionsMustBeCanonical() throws IOException {
        ObjectNode save = Json.object().put("name", "versions").put("publish", true);
        save.set("graph", Json.MAPPER.readTree(doublingChain(1)));
        String id = server.post("/v1/workflows", key, save).json().get("workflow_id").asText();
        for (String v : new String[]{"01", "001", "00000001"}) {
            Reply r = server.post("/workflows/" + id + "-v" + v, key, Json.object().put("text", "a"));
            assertThat(r.status()).as(v).isEqualTo(404);
            assertThat(r.json().get("error").asText()).contains("-v1");
        }
        assertThat(server.get("/v1/workflows/" + id + "?version=01", key).status()).isEqualTo(422);
        assertThat(server.post("/workflows/" + id + "-v1", key, Json.object().put("text", "a")).status()).isEqualTo(200);
    }

    @Test
    void ambiguousAddressFormsAreRefusedAsWebhooks() {
        for (String host : new String[]{"0177.0.0.1", "2130706433", "127.0.0.01", "010.0.0.1"}) {
            Reply r = server.post("/webhook/add", key, "{\"webhook_url\": \"http://" + host + "/hook\", \"event\": {\"types\": [\"PIXELFLOW\"]}}");
            assertThat(r.status()).as(host).isEqualTo(422);
            assertThat(r.json().get("error").asText()).contains("ambiguous");
        }
        // a short or hex form is not even a host to java.net.URI: refused all the same
        for (String host : new String[]{"127.1", "0x7f.0.0.1"}) {
            assertThat(server.post("/webhook/add", key, "{\"webhook_url\": \"http://" + host + "/hook\", \"event\": {\"types\": [\"PIXELFLOW\"]}}").status())
                    .as(host).isEqualTo(422);
        }
    }
}
