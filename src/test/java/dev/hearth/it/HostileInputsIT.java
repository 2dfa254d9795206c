package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Authenticator;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dedicated-endpoint, workflow and webhook-registry routes as a hostile or careless client uses them:
 * missing, invalid, admin and suspended keys, wrong methods, bodies that are not JSON objects, wrong types,
 * huge strings and graphs, unreadable media, hostile webhook URLs and other accounts' ids. Each refusal must
 * carry the right code of SPEC §2 with an error that names the problem, and must change nothing: the
 * account's balance, ledger, endpoints, workflows, runs and webhooks are compared before and after.
 */
class HostileInputsIT {

    static HearthServer server;
    /** Only this private address is allowed by the operator (net.allow); every other non-public one is refused. */
    static final String ALLOWED_HOOK = "http://10.9.8.7/hook";

    String accountId;
    String key;
    String otherId;
    String otherKey;
    /** A published private workflow of the account, with number, image and text inputs and one paid model node. */
    String workflowId;

    @BeforeAll
    static void start() throws IOException {
        java.nio.file.Path catalog = ScriptedRunners.catalogDir();
        // an echo that takes any JSON, so a model node can wait on another model's output
        java.nio.file.Files.writeString(catalog.resolve("scripted-echo-json.yaml"), """
                slug: scripted-echo-json
                title: scripted echo of JSON (test only)
                category: test
                pricing: {type: per_call, price: 0.01}
                runner: {type: scripted, behaviour: echo}
                scaling: {execution_timeout: 5, idle_timeout: 300, slots: 1}
                input_schema:
                  type: object
                  properties:
                    data: {type: object}
                """);
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", catalog.toString(),
                "net.allow", "10.9.8.7/32", "server.max_body_bytes", String.valueOf(16 << 20), "endpoints.max_per_account", "3"), Map.of("scripted", new ScriptedRunners()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void accounts() {
        JsonNode a = server.createAccount("hostile-target", "pro", "10");
        accountId = a.get("account_id").asText();
        key = a.get("api_key").asText();
        JsonNode b = server.createAccount("hostile-other", "pro", "10");
        otherId = b.get("account_id").asText();
        otherKey = b.get("api_key").asText();
        Reply w = server.post("/v1/workflows", key, Json.object().put("name", "target").put("publish", true).set("graph", graph()));
        assertThat(w.status()).as(w.body()).isEqualTo(200);
        workflowId = w.json().get("workflow_id").asText();
    }

    static ObjectNode graph() {
        ObjectNode g = Json.object();
        ArrayNode nodes = g.putArray("nodes");
        nodes.addObject().put("id", "n").put("type", "input").put("name", "n").putObject("params").put("type", "number");
        nodes.addObject().put("id", "img").put("type", "input").put("name", "img").putObject("params").put("type", "image");
        nodes.addObject().put("id", "txt").put("type", "input").put("name", "txt").putObject("params").put("type", "text");
        nodes.addObject().put("id", "m").put("type", "model").put("model", "scripted-echo").putObject("params");
        nodes.addObject().put("id", "o1").put("type", "output").put("name", "echo");
        nodes.addObject().put("id", "o2").put("type", "output").put("name", "picture");
        nodes.addObject().put("id", "o3").put("type", "output").put("name", "text");
        ArrayNode edges = g.putArray("edges");
        edges.addObject().put("from", "n.value").put("to", "m.millis");
        edges.addObject().put("from", "m.output").put("to", "o1.value");
        edges.addObject().put("from", "img.value").put("to", "o2.value");
        edges.addObject().put("from", "txt.value").put("to", "o3.value");
        return g;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** Asserts the status, a JSON error envelope, and that the error names each fragment (case-insensitive). */
    static JsonNode refused(Reply r, int status, String... fragments) {
        return refused("", r, status, fragments);
    }

    /** The same, with {@code what} (the case) in the failure message. */
    static JsonNode refused(String what, Reply r, int status, String... fragments) {
        assertThat(r.status()).as(what + " -> " + r.body()).isEqualTo(status);
        assertThat(r.header("content-type")).as("content type of " + r.body()).startsWith("application/json");
        JsonNode error = r.json().get("error");
        assertThat(error).as(r.body()).isNotNull();
        assertThat(error.isTextual()).isTrue();
        for (String f : fragments) assertThat(error.asText()).as(r.body()).containsIgnoringCase(f);
        // an error never echoes a huge input back
        assertThat(r.body().length()).as("error body length").isLessThan(2_000);
        return r.json();
    }

    /**
     * Everything a refused request could have changed for an account: its balance, and every row it owns in the
     * ledger, holds, usage, jobs, endpoints, workflows (and their versions), runs and webhooks.
     */
    String state(String account) {
        StringBuilder sb = new StringBuilder(server.app.ledger.balance(account).toString());
        for (String table : List.of("ledger_entries", "credit_holds", "usage_records", "jobs", "endpoints", "workflows", "workflow_runs",
                "webhook_registry")) {
            List<Map<String, Object>> rows = server.app.db.jdbi().withHandle(h -> h.createQuery(
                    "SELECT * FROM " + table + " WHERE account_id = :a ORDER BY 1").bind("a", account).mapToMap().list());
            sb.append('\n').append(table).append(": ").append(rows);
        }
        List<Map<String, Object>> versions = server.app.db.jdbi().withHandle(h -> h.createQuery(
                "SELECT v.workflow_id, v.version FROM workflow_versions v JOIN workflows w ON w.id = v.workflow_id WHERE w.account_id = :a "
                        + "ORDER BY 1, 2").bind("a", account).mapToMap().list());
        sb.append("\nworkflow_versions: ").append(versions);
        return sb.toString();
    }

    Reply send(String method, String path, String k, String body) {
        return server.send(method, path, k, body == null ? null : "application/json", body);
    }

    /**
     * POSTs a body over the limit with {@code Expect: 100-continue}, so the server's 413 arrives before the body
     * is sent (without it, the server closing the connection can race the client still writing).
     */
    Reply sendExpectingContinue(String path, String body) {
        try {
            var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + path))
                    .header("x-api-key", key).header("Content-Type", "application/json").expectContinue(true)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static Reply bearer(String path, String k) {
        try {
            var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + path))
                    .header("Authorization", "Bearer " + k).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    String webhook(String k) {
        Reply r = server.post("/webhook/add", k, "{\"webhook_url\": \"" + ALLOWED_HOOK + "\", \"event\": {\"types\": [\"PIXELFLOW\"]}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("webhook_id").asText();
    }

    /** Each route with a body that would be accepted, so only the key decides. */
    List<String[]> routes() {
        return List.of(
                new String[]{"POST", "/endpoint/add", "{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\"}"},
                new String[]{"GET", "/endpoint/list", null},
                new String[]{"PUT", "/endpoint/update", "{\"endpoint_name\": \"e1\", \"workers_max\": 2}"},
                new String[]{"DELETE", "/endpoint/delete", "{\"endpoint_name\": \"e1\"}"},
                new String[]{"POST", "/v1/workflows", Json.text(Json.object().put("name", "w").set("graph", graph()))},
                new String[]{"GET", "/v1/workflows", null},
                new String[]{"GET", "/v1/workflows/" + workflowId, null},
                new String[]{"POST", "/v1/workflows/" + workflowId + "/publish", "{}"},
                new String[]{"DELETE", "/v1/workflows/" + workflowId, null},
                new String[]{"GET", "/v1/workflows/palette", null},
                new String[]{"POST", "/workflows/" + workflowId + "-v1", "{\"n\": 1, \"img\": \"" + TINY_PNG + "\", \"txt\": \"hi\"}"},
                new String[]{"GET", "/workflows/request/wfr_0", null},
                new String[]{"GET", "/webhook/get", null},
                new String[]{"POST", "/webhook/add", "{\"webhook_url\": \"" + ALLOWED_HOOK + "\", \"event\": {\"types\": [\"PIXELFLOW\"]}}"},
                new String[]{"POST", "/webhook/update", "{\"webhook_id\": \"wh_0\", \"active\": false}"},
                new String[]{"GET", "/webhook/inactive?webhook_id=wh_0", null},
                new String[]{"GET", "/webhook/dispatch-logs?webhook_id=wh_0", null});
    }

    /** A 1×1 PNG as a data URL: a readable image. */
    static final String TINY_PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

    // ---- keys ------------------------------------------------------------------------------------------------

    @Test
    void everyRouteWantsAnAccountKeyAndChangesNothingWithoutOne() {
        String before = state(accountId);
        String unknown = "SG_" + "Z".repeat(32);
        for (String[] r : routes()) {
            String what = r[0] + " " + r[1];
            refused(send(r[0], r[1], null, r[2]), 401, Authenticator.MISSING);
            refused(send(r[0], r[1], unknown, r[2]), 401, Authenticator.INVALID);
            refused(send(r[0], r[1], "not-a-key", r[2]), 401, Authenticator.INVALID);
            // the admin key is not an account: these routes act on "my" account
            assertThat(refused(send(r[0], r[1], HearthServer.ADMIN_KEY, r[2]), 403, "admin key").toString()).as(what).isNotEmpty();
        }
        assertThat(state(accountId)).isEqualTo(before);
    }

    @Test
    void aSuspendedAccountGets403OnEveryRouteAndChangesNothing() {
        Reply s = server.post("/admin/accounts/" + accountId + "/suspend", HearthServer.ADMIN_KEY, "{}");
        assertThat(s.status()).as(s.body()).isEqualTo(200);
        try {
            String before = state(accountId);
            for (String[] r : routes()) refused(send(r[0], r[1], key, r[2]), 403, "suspended");
            // Bearer too
            refused(bearer("/endpoint/list", key), 403, "suspended");
            refused(bearer("/webhook/get", key), 403, "suspended");
            assertThat(state(accountId)).isEqualTo(before);
        } finally {
            server.post("/admin/accounts/" + accountId + "/unsuspend", HearthServer.ADMIN_KEY, "{}");
        }
    }

    @Test
    void aRunOfAnAccountSuspendedWhileItRunsStartsNoFurtherModelNode() {
        // slow (sleeps n ms) -> echo (takes slow's JSON) -> out
        ObjectNode g = Json.object();
        ArrayNode nodes = g.putArray("nodes");
        nodes.addObject().put("id", "n").put("type", "input").put("name", "n").putObject("params").put("type", "number");
        nodes.addObject().put("id", "slow").put("type", "model").put("model", "scripted-sleeps").putObject("params");
        nodes.addObject().put("id", "echo").put("type", "model").put("model", "scripted-echo-json").putObject("params");
        nodes.addObject().put("id", "out").put("type", "output").put("name", "out");
        ArrayNode edges = g.putArray("edges");
        edges.addObject().put("from", "n.value").put("to", "slow.millis");
        edges.addObject().put("from", "slow.output").put("to", "echo.data");
        edges.addObject().put("from", "echo.output").put("to", "out.value");
        Reply w = server.post("/v1/workflows", key, Json.object().put("name", "two steps").put("publish", true).set("graph", g));
        assertThat(w.status()).as(w.body()).isEqualTo(200);
        var before = server.app.ledger.balance(accountId);
        Reply run = server.post("/workflows/" + w.json().get("workflow_id").asText() + "-v1", key, "{\"n\": 1500}");
        assertThat(run.status()).as(run.body()).isEqualTo(200);
        String runId = run.json().get("request_id").asText();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> "running".equals(nodeStatus(runId, "slow")));
        assertThat(server.post("/admin/accounts/" + accountId + "/suspend", HearthServer.ADMIN_KEY, "{}").status()).isEqualTo(200);
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> "FAILED".equals(runColumn(runId, "status")));
            assertThat(runColumn(runId, "error")).contains("node 'echo'").contains("suspended");
            // the node that was running answered and is charged; the next one never ran
            assertThat(nodeStatus(runId, "slow")).isEqualTo("completed");
            assertThat(server.app.ledger.balance(accountId).total()).isEqualTo(before.total() - dev.hearth.billing.Money.fromUsd(new java.math.BigDecimal("0.01")));
            assertThat(server.app.ledger.balance(accountId).held()).isZero();
        } finally {
            server.post("/admin/accounts/" + accountId + "/unsuspend", HearthServer.ADMIN_KEY, "{}");
        }
    }

    String nodeStatus(String runId, String nodeId) {
        return server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM workflow_run_nodes WHERE run_id = :r AND node_id = :n")
                .bind("r", runId).bind("n", nodeId).mapTo(String.class).findOne().orElse(null));
    }

    String runColumn(String runId, String column) {
        return server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT " + column + " FROM workflow_runs WHERE id = :r")
                .bind("r", runId).mapTo(String.class).one());
    }

    // ---- methods ---------------------------------------------------------------------------------------------

    @Test
    void aWrongMethodIs405JsonWithAllow() {
        String before = state(accountId);
        String[][] cases = {
                {"PUT", "/endpoint/add", "POST"}, {"POST", "/endpoint/list", "GET"}, {"POST", "/endpoint/update", "PUT"},
                {"GET", "/endpoint/update", "PUT"}, {"POST", "/endpoint/delete", "DELETE"}, {"GET", "/endpoint/delete", "DELETE"},
                {"PUT", "/v1/workflows", "GET, POST"}, {"DELETE", "/v1/workflows", "GET, POST"}, {"POST", "/v1/workflows/palette", "GET"},
                {"PUT", "/v1/workflows/" + workflowId, "GET, DELETE"}, {"POST", "/v1/workflows/" + workflowId, "GET, DELETE"},
                {"GET", "/v1/workflows/" + workflowId + "/publish", "POST"}, {"PUT", "/v1/workflows/" + workflowId + "/publish", "POST"},
                {"GET", "/workflows/" + workflowId + "-v1", "POST"}, {"DELETE", "/workflows/" + workflowId + "-v1", "POST"},
                {"POST", "/workflows/request/wfr_0", "GET"}, {"DELETE", "/workflows/request/wfr_0", "GET"},
                {"POST", "/webhook/get", "GET"}, {"GET", "/webhook/add", "POST"}, {"GET", "/webhook/update", "POST"},
                {"POST", "/webhook/inactive", "GET"}, {"DELETE", "/webhook/dispatch-logs", "GET"},
        };
        for (String[] c : cases) {
            Reply r = send(c[0], c[1], key, c[0].equals("GET") ? null : "{}");
            refused(r, 405, c[0], "not allowed");
            assertThat(r.header("allow")).as(c[0] + " " + c[1]).isEqualTo(c[2]);
        }
        assertThat(state(accountId)).isEqualTo(before);
    }

    // ---- bodies that are not JSON objects --------------------------------------------------------------------

    @Test
    void bodiesThatAreNotJsonObjectsAre400Or406AndChangeNothing() {
        String before = state(accountId);
        String deep = "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000);
        String[][] writes = {{"POST", "/endpoint/add"}, {"PUT", "/endpoint/update"}, {"DELETE", "/endpoint/delete"},
                {"POST", "/v1/workflows"}, {"POST", "/v1/workflows/" + workflowId + "/publish"}, {"POST", "/workflows/" + workflowId + "-v1"},
                {"POST", "/webhook/add"}, {"POST", "/webhook/update"}};
        for (String[] w : writes) {
            refused(send(w[0], w[1], key, "{\"endpoint_name\": "), 400, "not valid JSON");
            refused(send(w[0], w[1], key, "not json at all"), 400, "not valid JSON");
            refused(send(w[0], w[1], key, "[{\"endpoint_name\": \"e1\"}]"), 400, "must be a JSON object", "array");
            refused(send(w[0], w[1], key, "\"a string\""), 400, "must be a JSON object");
            refused(send(w[0], w[1], key, "null"), 400, "must be a JSON object");
            refused(send(w[0], w[1], key, deep), 400, "not valid JSON");
            refused(server.send(w[0], w[1], key, "text/plain", "{}"), 406, "Content-Type");
        }
        // a body over the configured limit is cut off with 413, whatever the route
        String huge = "{\"name\": \"" + "x".repeat(17 << 20) + "\"}";
        refused(sendExpectingContinue("/v1/workflows", huge), 413, "limit");
        refused(sendExpectingContinue("/webhook/add", huge), 413, "limit");
        assertThat(state(accountId)).isEqualTo(before);
    }

    // ---- dedicated endpoints ---------------------------------------------------------------------------------

    @Test
    void endpointSettingsOfTheWrongTypeOrSizeAre422NamingTheFieldAndCreateNothing() {
        String before = state(accountId);
        String mb = "a".repeat(1 << 20);
        String[][] cases = {
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\", \"workers_max\": \"2\"}", "$.workers_max"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\", \"workers_max\": 2.5}", "$.workers_max"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\", \"workers_min\": true}", "$.workers_min"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\", \"workers_min\": -1}", "$.workers_min"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\", \"workers_max\": 1e10}", "$.workers_max"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\", \"idle_timeout\": 99999999999}", "$.idle_timeout: must be between 1 and 86400"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\", \"execution_timeout\": \"60\"}", "$.execution_timeout"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\", \"scaler_value\": 0}", "$.scaler_value"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\", \"scaler_type\": \"CPU\"}", "$.scaler_type"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\", \"gpu_id\": \"../../etc/passwd\"}", "$.gpu_id"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\", \"gpu_id\": 7}", "$.gpu_id"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": 5}", "$.model_name"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": null}", "$.model_name"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"../scripted-echo\"}", "$.model_name"},
                {"{\"endpoint_name\": null, \"model_name\": \"scripted-echo\"}", "$.endpoint_name"},
                {"{\"endpoint_name\": [\"e1\"], \"model_name\": \"scripted-echo\"}", "$.endpoint_name"},
                {"{\"endpoint_name\": \"../e1\", \"model_name\": \"scripted-echo\"}", "$.endpoint_name"},
                {"{\"endpoint_name\": \"E1\", \"model_name\": \"scripted-echo\"}", "$.endpoint_name"},
                {"{\"endpoint_name\": \"é1\", \"model_name\": \"scripted-echo\"}", "$.endpoint_name"},
                {"{\"endpoint_name\": \"workflows\", \"model_name\": \"scripted-echo\"}", "$.endpoint_name"},
                {"{\"endpoint_name\": \"scripted-echo\", \"model_name\": \"scripted-echo\"}", "$.endpoint_name"},
                {"{\"endpoint_name\": \"" + mb + "\", \"model_name\": \"scripted-echo\"}", "$.endpoint_name"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"" + mb + "\"}", "$.model_name"},
                {"{\"endpoint_name\": \"e1\", \"model_name\": \"scripted-echo\", \"gpu_id\": \"" + mb + "\"}", "$.gpu_id"},
        };
        for (String[] c : cases) refused(c[0].length() > 300 ? c[1] : c[0], server.post("/endpoint/add", key, c[0]), 422, c[1]);
        assertThat(state(accountId)).isEqualTo(before);
    }

    @Test
    void anotherAccountsEndpointIs404OnUpdateAndDeleteAndStaysAsItWas() {
        Reply add = server.post("/endpoint/add", otherKey, "{\"endpoint_name\": \"theirs\", \"model_name\": \"scripted-echo\"}");
        assertThat(add.status()).as(add.body()).isEqualTo(200);
        String id = add.json().get("endpoint_id").asText();
        String mine = state(accountId);
        String theirs = state(otherId);
        refused(send("PUT", "/endpoint/update", key, "{\"endpoint_id\": \"" + id + "\", \"workers_max\": 3}"), 404, id);
        refused(send("PUT", "/endpoint/update", key, "{\"endpoint_name\": \"theirs\", \"workers_max\": 3}"), 404, "theirs");
        refused(send("DELETE", "/endpoint/delete", key, "{\"endpoint_id\": \"" + id + "\"}"), 404, id);
        refused(send("DELETE", "/endpoint/delete", key, "{\"endpoint_name\": \"theirs\"}"), 404, "theirs");
        refused(send("DELETE", "/endpoint/delete", key, "{\"endpoint_id\": \"" + "f".repeat(1 << 20) + "\"}"), 404, "not found");
        // naming it wrongly is a 422 that says how to name it
        refused(send("PUT", "/endpoint/update", key, "{\"workers_max\": 3}"), 422, "$.endpoint_id");
        refused(send("DELETE", "/endpoint/delete", key, "{\"endpoint_id\": 42}"), 422, "$.endpoint_id", "string");
        refused(send("DELETE", "/endpoint/delete", key, "{\"endpoint_name\": {\"$ne\": null}}"), 422, "$.endpoint_name", "string");
        // and their own endpoint refuses a bad update without changing
        refused(send("PUT", "/endpoint/update", otherKey, "{\"endpoint_id\": \"" + id + "\", \"workers_max\": \"3\"}"), 422, "$.workers_max");
        refused(send("PUT", "/endpoint/update", otherKey, "{\"endpoint_id\": \"" + id + "\", \"workers_min\": 5}"), 422, "$.workers_min");
        assertThat(state(accountId)).isEqualTo(mine);
        assertThat(state(otherId)).isEqualTo(theirs);
        // calling their endpoint's name is an unknown model for this account
        refused(server.post("/v1/theirs", key, "{}"), 404);
    }

    @Test
    void anAccountCannotPileUpEndpointsOrWebhooksBeyondTheLimits() {
        for (int i = 1; i <= 3; i++) {
            Reply r = server.post("/endpoint/add", key, "{\"endpoint_name\": \"pile-" + i + "\", \"model_name\": \"scripted-echo\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        for (int i = 0; i < 20; i++) webhook(key);
        String before = state(accountId);
        refused(server.post("/endpoint/add", key, "{\"endpoint_name\": \"pile-4\", \"model_name\": \"scripted-echo\"}"), 422,
                "already has 3 endpoints");
        refused(server.post("/webhook/add", key, "{\"webhook_url\": \"" + ALLOWED_HOOK + "\", \"event\": {\"types\": [\"PIXELFLOW\"]}}"),
                422, "already has 20 webhooks");
        assertThat(state(accountId)).isEqualTo(before);
        // deleting one makes room again
        assertThat(send("DELETE", "/endpoint/delete", key, "{\"endpoint_name\": \"pile-1\"}").status()).isEqualTo(200);
        assertThat(server.post("/endpoint/add", key, "{\"endpoint_name\": \"pile-4\", \"model_name\": \"scripted-echo\"}").status())
                .isEqualTo(200);
    }

    @Test
    void workflowAndWebhookReadsTakeFromTheReadBudget() {
        Reply put = server.send("PUT", "/admin/accounts/" + accountId + "/limits", HearthServer.ADMIN_KEY, "application/json",
                "{\"read_requests_per_minute\": 4}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        for (String path : List.of("/v1/workflows", "/v1/workflows/" + workflowId, "/v1/workflows/palette", "/webhook/get")) {
            assertThat(server.get(path, key).status()).as(path).isEqualTo(200);
        }
        refused(server.get("/webhook/get", key), 429, "Rate limit");
        refused(server.get("/v1/workflows", key), 429, "Rate limit");
        // another account's budget is its own
        assertThat(server.get("/webhook/get", otherKey).status()).isEqualTo(200);
    }

    // ---- workflows -------------------------------------------------------------------------------------------

    @Test
    void workflowSavesOfTheWrongShapeTypeOrSizeAre422AndCreateNothing() {
        String before = state(accountId);
        String mb = "n".repeat(1 << 20);
        ObjectNode g = graph();
        List<ObjectNode> cases = List.of(
                Json.object().put("name", "no graph"),
                Json.object().put("name", "graph as text").put("graph", Json.text(g)),
                Json.object().put("name", "graph as array").set("graph", Json.MAPPER.createArrayNode()),
                Json.object().put("name", 5).set("graph", g),
                Json.object().put("name", true).set("graph", g),
                Json.object().put("name", mb).set("graph", g),
                Json.object().put("name", "public as text").put("public", "true").set("graph", g),
                Json.object().put("name", "publish as text").put("publish", "yes").set("graph", g),
                Json.object().put("name", "publish as number").put("publish", 1).set("graph", g),
                Json.object().put("name", "id as number").put("workflow_id", 12).set("graph", g),
                Json.object().put("name", "nodes as object").set("graph", Json.object().set("nodes", Json.object())));
        String[] names = {"graph", "graph", "graph", "$.name", "$.name", "$.name", "$.public", "$.publish", "$.publish", "$.workflow_id",
                "graph.nodes"};
        for (int i = 0; i < cases.size(); i++) refused(names[i], server.post("/v1/workflows", key, cases.get(i)), 422, names[i]);
        // a new version is checked the same way, and another account's workflow is not theirs to version
        refused(server.post("/v1/workflows", key, Json.object().put("workflow_id", workflowId).put("name", mb).set("graph", g)), 422, "$.name");
        refused(server.post("/v1/workflows", key, Json.object().put("workflow_id", workflowId).put("name", 7).set("graph", g)), 422, "$.name");
        assertThat(state(accountId)).isEqualTo(before);
        String theirs = state(otherId);
        refused(server.post("/v1/workflows", otherKey, Json.object().put("workflow_id", workflowId).set("graph", g)), 404, workflowId);
        assertThat(state(otherId)).isEqualTo(theirs);
        assertThat(state(accountId)).isEqualTo(before);
    }

    @Test
    void hugeGraphsAreRefusedQuicklyWithoutHanging() {
        String before = state(accountId);
        ObjectNode many = Json.object();
        ArrayNode nodes = many.putArray("nodes");
        for (int i = 0; i < 100_000; i++) nodes.addObject().put("id", "n" + i).put("type", "output").put("name", "n" + i);
        many.putArray("edges");
        long t0 = System.nanoTime();
        refused(server.post("/v1/workflows", key, Json.object().put("name", "many nodes").set("graph", many)), 422, "graph.nodes", "at most");
        ObjectNode edgy = graph();
        ArrayNode edges = (ArrayNode) edgy.get("edges");
        for (int i = 0; i < 100_000; i++) edges.addObject().put("from", "txt.value").put("to", "o3.value");
        refused(server.post("/v1/workflows", key, Json.object().put("name", "many edges").set("graph", edgy)), 422, "graph.edges", "at most");
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to refuse both").isLessThan(5_000);
        // params nested as deep as the JSON reader allows are still just a 422
        ObjectNode deep = graph();
        ObjectNode params = (ObjectNode) deep.get("nodes").get(3).get("params");
        ObjectNode cur = params.putObject("seed");
        for (int i = 0; i < 150; i++) cur = cur.putObject("x");
        refused(server.post("/v1/workflows", key, Json.object().put("name", "deep").set("graph", deep)), 422, "node 'm'");
        assertThat(state(accountId)).isEqualTo(before);
    }

    @Test
    void publishAndReadWithBadVersionsOrIdsAreRefusedAndChangeNothing() {
        String before = state(accountId);
        String base = "/v1/workflows/" + workflowId;
        refused(server.post(base + "/publish", key, "{\"version\": \"1\"}"), 422, "$.version");
        refused(server.post(base + "/publish", key, "{\"version\": 1.5}"), 422, "$.version");
        refused(server.post(base + "/publish", key, "{\"version\": 99}"), 422, "$.version");
        refused(server.post(base + "/publish", key, "{\"version\": -1}"), 422, "$.version");
        refused(server.post(base + "/publish", key, "{\"version\": 99999999999}"), 422, "$.version");
        refused(server.post(base + "/publish", key, "{\"public\": \"false\"}"), 422, "$.public");
        refused(server.get(base + "?version=abc", key), 422, "version");
        refused(server.get(base + "?version=99", key), 404, "version");
        refused(server.get("/v1/workflows/wfnosuchworkflow", key), 404, "wfnosuchworkflow");
        assertThat(state(accountId)).isEqualTo(before);
        // another account: the private workflow does not exist for it
        String theirs = state(otherId);
        refused(server.get(base, otherKey), 404, workflowId);
        refused(server.post(base + "/publish", otherKey, "{}"), 404, workflowId);
        refused(send("DELETE", base, otherKey, null), 404, workflowId);
        refused(server.post("/workflows/" + workflowId + "-v1", otherKey, "{\"n\": 1, \"img\": \"" + TINY_PNG + "\", \"txt\": \"x\"}"), 404, workflowId);
        assertThat(state(otherId)).isEqualTo(theirs);
        assertThat(state(accountId)).isEqualTo(before);
        assertThat(server.get(base, key).status()).isEqualTo(200);
    }

    @Test
    void badWorkflowRefsAre404Json() {
        String before = state(accountId);
        String body = "{\"n\": 1, \"img\": \"" + TINY_PNG + "\", \"txt\": \"x\"}";
        for (String ref : new String[]{"x", "-v", "-v1", "abc-v0", "abc-v", "abc-v99999999999", workflowId + "-v0", workflowId + "-v2",
                workflowId + "-v1-v1", workflowId + "-vx", workflowId.toUpperCase() + "-v1", "a".repeat(1_000) + "-v1"}) {
            refused(ref.length() > 300 ? "long ref" : ref, server.post("/workflows/" + ref, key, body), 404, "not");
        }
        // encoded path traversal: decoded into another path, which is no route
        for (String ref : new String[]{"%2e%2e%2f%2e%2e%2fadmin%2faccounts", "..%2F..%2Fadmin%2Faccounts", "%2e%2e/%2e%2e/admin/accounts"}) {
            refused(ref, server.post("/workflows/" + ref, key, body), 404);
        }
        refused(server.get("/workflows/request/" + "%2e%2e%2fadmin", key), 404);
        // a URI over the server's limit is refused before routing, still in the JSON envelope (a GET: the server
        // answers and closes before reading a body, so a POST's client could be cut off while still sending it)
        refused(server.get("/workflows/" + "a".repeat(20_000) + "-v1", key), 414, "URI");
        refused(server.get("/workflows/request/wfr_nosuchrun", key), 404, "wfr_nosuchrun");
        assertThat(state(accountId)).isEqualTo(before);
    }

    @Test
    void badRunInputsAre422NamingTheInputAndChargeNothing() {
        String before = state(accountId);
        String run = "/workflows/" + workflowId + "-v1";
        String[][] cases = {
                {"{\"img\": \"" + TINY_PNG + "\", \"txt\": \"x\"}", "$.n"},
                {"{\"n\": \"abc\", \"img\": \"" + TINY_PNG + "\", \"txt\": \"x\"}", "$.n"},
                {"{\"n\": \"NaN\", \"img\": \"" + TINY_PNG + "\", \"txt\": \"x\"}", "$.n"},
                {"{\"n\": \"Infinity\", \"img\": \"" + TINY_PNG + "\", \"txt\": \"x\"}", "$.n"},
                {"{\"n\": \"1e999\", \"img\": \"" + TINY_PNG + "\", \"txt\": \"x\"}", "$.n"},
                {"{\"n\": true, \"img\": \"" + TINY_PNG + "\", \"txt\": \"x\"}", "$.n"},
                {"{\"n\": [1], \"img\": \"" + TINY_PNG + "\", \"txt\": \"x\"}", "$.n"},
                {"{\"n\": 1, \"img\": \"" + TINY_PNG + "\", \"txt\": 5}", "$.txt"},
                {"{\"n\": 1, \"img\": \"" + TINY_PNG + "\", \"txt\": {\"a\": 1}}", "$.txt"},
                {"{\"n\": 1, \"img\": \"!!!! not base64 ####\", \"txt\": \"x\"}", "$.img"},
                {"{\"n\": 1, \"img\": \"data:image/png;base64,@@@@\", \"txt\": \"x\"}", "$.img"},
                {"{\"n\": 1, \"img\": \"aGVsbG8gd29ybGQsIG5vdCBhbiBpbWFnZQ==\", \"txt\": \"x\"}", "$.img"},
                {"{\"n\": 1, \"img\": \"file:///etc/passwd\", \"txt\": \"x\"}", "$.img"},
                {"{\"n\": 1, \"img\": \"http://127.0.0.1:1/x.png\", \"txt\": \"x\"}", "$.img"},
                {"{\"n\": 1, \"img\": \"http://169.254.169.254/latest/meta-data/\", \"txt\": \"x\"}", "$.img"},
                {"{\"n\": 1, \"img\": 12, \"txt\": \"x\"}", "$.img"},
                {"{\"n\": 1, \"img\": \"" + "A".repeat(1 << 20) + "!\", \"txt\": \"x\"}", "$.img"},
        };
        for (String[] c : cases) refused(c[0].length() > 300 ? c[1] : c[0], server.post(run, key, c[0]), 422, c[1]);
        refused(server.send("POST", run, key, null, null), 422, "$.n");
        refused(server.post(run, key, "{}"), 422, "$.n");
        assertThat(state(accountId)).isEqualTo(before);
        // the same run with good inputs works: the refusals were about the inputs
        Reply ok = server.post(run, key, "{\"n\": 1, \"img\": \"" + TINY_PNG + "\", \"txt\": \"x\"}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        // and another account cannot poll it
        refused(server.get("/workflows/request/" + ok.json().get("request_id").asText(), otherKey), 404, "not found");
    }

    // ---- webhook registry ------------------------------------------------------------------------------------

    @Test
    void hostileWebhookUrlsAre422AndRegisterNothing() {
        String before = state(accountId);
        String[] urls = {"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook", "http://0.0.0.0/hook",
                "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://10.9.8.8/hook", "http://192.168.1.1/",
                "http://2130706433/", "http://0x7f000001/", "http://017700000001/", "http://[::ffff:127.0.0.1]/",
                "http://example.com@127.0.0.1/hook", "http://user:pass@10.9.8.7/hook", "file:///etc/passwd", "ftp://10.9.8.7/x",
                "gopher://10.9.8.7:70/_x", "javascript:alert(1)", "data:text/plain,hi", "//10.9.8.7/hook", "/hook", "http:///hook",
                "http://10.9.8.7:99999/hook", "http://10.9.8.7:0/hook", "not a url", " ", "http://" + "a".repeat(1 << 20) + ".com/",
                ALLOWED_HOOK + "?" + "q".repeat(1 << 20)};
        for (String u : urls) {
            refused(u.length() > 300 ? "long url" : u, server.post("/webhook/add", key, Json.object().put("webhook_url", u).set("event",
                    Json.object().set("types", Json.MAPPER.createArrayNode().add("PIXELFLOW")))), 422, "webhook_url");
        }
        refused(server.post("/webhook/add", key, "{\"webhook_url\": 5, \"event\": {\"types\": [\"PIXELFLOW\"]}}"), 422, "$.webhook_url");
        refused(server.post("/webhook/add", key, "{\"webhook_url\": null, \"event\": {\"types\": [\"PIXELFLOW\"]}}"), 422, "$.webhook_url");
        refused(server.post("/webhook/add", key, "{\"webhook_url\": \"" + ALLOWED_HOOK + "\"}"), 422, "$.event.types");
        refused(server.post("/webhook/add", key, "{\"webhook_url\": \"" + ALLOWED_HOOK + "\", \"event\": \"PIXELFLOW\"}"), 422, "$.event");
        refused(server.post("/webhook/add", key, "{\"webhook_url\": \"" + ALLOWED_HOOK + "\", \"event\": {\"types\": [\"NOPE\"]}}"), 422,
                "NOPE");
        refused(server.post("/webhook/add", key, "{\"webhook_url\": \"" + ALLOWED_HOOK + "\", \"event\": {\"types\": [null]}}"), 422,
                "$.event.types");
        assertThat(state(accountId)).isEqualTo(before);
        // the operator's allowed address is accepted
        webhook(key);
    }

    @Test
    void webhookUpdatesAndReadsOfAnotherAccountOrWithBadFieldsAreRefusedAndChangeNothing() {
        String mine = webhook(key);
        String theirs = webhook(otherKey);
        String beforeMine = state(accountId);
        String beforeTheirs = state(otherId);
        refused(server.post("/webhook/update", key, "{\"webhook_id\": \"" + theirs + "\", \"active\": false}"), 404, theirs);
        refused(server.post("/webhook/update", key, "{\"webhook_id\": \"" + theirs + "\", \"webhook_url\": \"http://10.9.8.7/x\"}"), 404, theirs);
        refused(server.get("/webhook/inactive?webhook_id=" + theirs, key), 404, theirs);
        refused(server.get("/webhook/dispatch-logs?webhook_id=" + theirs, key), 404, theirs);
        refused(server.get("/webhook/inactive", key), 422, "webhook_id");
        refused(server.get("/webhook/inactive?webhook_id=", key), 422, "webhook_id");
        refused(server.get("/webhook/dispatch-logs", key), 422, "webhook_id");
        refused(server.get("/webhook/dispatch-logs?webhook_id=", key), 422, "webhook_id");
        refused(server.get("/webhook/dispatch-logs?webhook_id=wh_nosuch", key), 404, "wh_nosuch");
        refused(server.post("/webhook/update", key, "{\"active\": false}"), 422, "$.webhook_id");
        refused(server.post("/webhook/update", key, "{\"webhook_id\": 5, \"active\": false}"), 422, "$.webhook_id");
        refused(server.post("/webhook/update", key, "{\"webhook_id\": \"" + mine + "\", \"active\": \"false\"}"), 422, "$.active");
        refused(server.post("/webhook/update", key, "{\"webhook_id\": \"" + mine + "\", \"active\": 0}"), 422, "$.active");
        refused(server.post("/webhook/update", key, "{\"webhook_id\": \"" + mine + "\", \"active\": null}"), 422, "$.active");
        refused(server.post("/webhook/update", key, "{\"webhook_id\": \"" + mine + "\", \"webhook_url\": \"http://127.0.0.1/x\"}"), 422,
                "$.webhook_url");
        refused(server.post("/webhook/update", key, "{\"webhook_id\": \"" + mine + "\", \"webhook_url\": \"http://169.254.169.254/\"}"),
                422, "$.webhook_url");
        refused(server.post("/webhook/update", key, "{\"webhook_id\": \"" + mine + "\", \"event\": {\"types\": []}}"), 422, "$.event.types");
        refused(server.post("/webhook/update", key, "{\"webhook_id\": \"" + mine + "\", \"event\": null}"), 422, "$.event");
        assertThat(state(accountId)).isEqualTo(beforeMine);
        assertThat(state(otherId)).isEqualTo(beforeTheirs);
        // the owner's own reads still work
        assertThat(server.get("/webhook/dispatch-logs?webhook_id=" + mine, key).status()).isEqualTo(200);
        assertThat(server.get("/webhook/get", key).json().get(0).get("active").asBoolean()).isTrue();
    }
}
