package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.webhooks.WebhookSigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The calls of Segmind's Python SDK (segmind-python's {@code SegmindClient}) beyond the model API, each sent
 * exactly as the SDK's source sends it (httpx over HTTP/1.1 with its default headers, the SDK's User-Agent and
 * X-Initiator, {@code x-api-key}, the query in the SDK's order, httpx's multipart layout), and the answers
 * checked field by field: {@code models.list()}, {@code generations.list()} and {@code .recent()},
 * {@code accounts.current()} and the older {@code input-upload}. Also the account-wide GENERATION webhooks,
 * the rate headers in both spellings and the LLM output of v2 results as a string (SPEC §3.2, §14).
 */
class SegmindSdkIT {

    /**
     * What the SDK (with httpx) puts on every request, in the bytes the real SDK was seen to send; Host, Connection
     * (keep-alive) and Content-Length are the HTTP client's own.
     */
    static final Map<String, String> SDK_HEADERS = Map.of(
            "Accept", "*/*",
            "Accept-Encoding", "gzip, deflate",
            "User-Agent", "segmind-python-sdk/0.1.0",
            "X-Initiator", "segmind-python-sdk/0.1.0");

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** A request as the SDK's {@code self._client.request(method, url, params=..., files=...)} makes it. */
    static Reply sdk(HearthServer server, String method, String path, String key, Map<String, Object> params, byte[] multipart, String boundary) {
        String query = params == null || params.isEmpty() ? "" : "?" + params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base + path + query)).timeout(Duration.ofSeconds(60));
        SDK_HEADERS.forEach(b::header);
        if (key != null) b.header("x-api-key", key);
        if (multipart != null) {
            b.header("Content-Type", "multipart/form-data; boundary=" + boundary);
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(multipart));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            // the SDK reads response.json(): an uncompressed (or httpx-decodable) JSON object
            assertThat(r.headers().firstValue("content-encoding")).isEmpty();
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Reply sdkGet(HearthServer server, String path, String key, Map<String, Object> params) {
        return sdk(server, "GET", path, key, params, null, null);
    }

    /** httpx's multipart body for {@code files={"file": (name, bytes, type)}}: a 32-hex-digit boundary, one part. */
    static byte[] httpxMultipart(String boundary, String field, String filename, String type, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename
                + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    static HearthServer start(HearthServer.Store store) throws IOException {
        return start(store, Map.of());
    }

    /** A Hearth with the scripted test models and two more: {@code sdk-llm} (category llm) and {@code sdk-image} (draws a PNG). */
    static HearthServer start(HearthServer.Store store, Map<String, String> overrides) throws IOException {
        Path catalog = ScriptedRunners.catalogDir();
        Files.writeString(catalog.resolve("sdk-llm.yaml"), """
                slug: sdk-llm
                title: scripted LLM (test only; answers its parameters as JSON)
                category: llm
                pricing: {type: per_call, price: 0.01}
                runner: {type: scripted, behaviour: echo}
                scaling: {execution_timeout: 5, idle_timeout: 300, slots: 2}
                input_schema: {type: object, properties: {prompt: {type: string}}}
                """);
        Files.writeString(catalog.resolve("sdk-image.yaml"), """
                slug: sdk-image
                title: scripted image (test only; draws a tiny PNG)
                category: text-to-image
                pricing: {type: per_call, price: 0.02}
                runner: {type: scripted, behaviour: image}
                scaling: {execution_timeout: 5, idle_timeout: 300, slots: 2}
                input_schema: {type: object, properties: {seed: {type: integer, default: 7}, width: {type: integer}}}
                """);
        Map<String, String> o = new HashMap<>();
        o.put("catalog.dir", catalog.toString());
        o.put("net.allow", "127.0.0.1/32");
        o.put("plans.unlimited.requests_per_minute", "1000000000");
        o.put("plans.unlimited.concurrent_jobs", "100000");
        o.put("plans.unlimited.paid", "true");
        o.putAll(overrides);
        return HearthServer.start(store, o, Map.of("scripted", new ScriptedRunners()));
    }

    private static String today() {
        return LocalDate.now(ZoneOffset.UTC).toString();
    }

    private static Map<String, Object> query(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static JsonNode waitV2(HearthServer server, String key, String requestId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            String s = server.get("/v2/requests/" + requestId + "/status", key).json().path("status").asText();
            return s.equals("COMPLETED") || s.equals("FAILED");
        });
        return server.get("/v2/requests/" + requestId, key).json();
    }

    // ---- generations.list() and generations.recent()

    @ParameterizedTest
    @EnumSource(HearthServer.Store.class)
    void generationsListTheAccountsCallsNewestFirstPagedFilteredAndValidated(HearthServer.Store store) throws Exception {
        try (HearthServer server = start(store)) {
            JsonNode alice = server.createAccount("alice", "unlimited", "5");
            String key = alice.get("api_key").asText();
            String bobKey = server.createAccount("bob", "unlimited", "1").get("api_key").asText();

            List<String> echoIds = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Reply r = server.post("/v1/scripted-echo", key, i == 0 ? "{\"seed\": -1}" : "{}");
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                echoIds.add(r.header("x-request-id"));
            }
            Reply failed = server.post("/v1/scripted-throws", key, "{}");
            assertThat(failed.status()).isEqualTo(500);
            String imageId = server.post("/v2/sdk-image", key, "{\"width\": 5}").json().get("request_id").asText();
            String imageUrl = waitV2(server, key, imageId).get("output").asText();
            server.post("/v1/scripted-echo", bobKey, "{}");

            // generations.list(): page=1 only, as the SDK sends it by default
            Reply r = sdkGet(server, "/inference-request/generations", key, query("page", 1));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.header("content-type")).startsWith("application/json");
            JsonNode page1 = r.json();
            assertThat(page1.get("page").asInt()).isEqualTo(1);
            assertThat(page1.get("page_size").asInt()).isEqualTo(20);
            assertThat(page1.get("total").asLong()).isEqualTo(22);
            assertThat(page1.get("total_pages").asLong()).isEqualTo(2);
            JsonNode gens = page1.get("generations");
            assertThat(gens).hasSize(20);
            // newest first: the v2 image call ended last among alice's calls
            JsonNode image = gens.get(0);
            assertThat(image.get("request_id").asText()).isEqualTo(imageId);
            assertThat(image.get("model").asText()).isEqualTo("sdk-image");
            assertThat(image.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(image.get("status_code").asInt()).isEqualTo(200);
            assertThat(image.get("cost").decimalValue()).isEqualByComparingTo("0.02");
            assertThat(image.get("seed").asLong()).isEqualTo(7);
            assertThat(image.get("output_url").asText()).isEqualTo(imageUrl);
            assertThat(image.get("created_at").asText()).startsWith(today());
            assertThat(image.get("finished_at").asText()).startsWith(today());
            assertThat(image.get("generation_time").isNumber()).isTrue();
            assertThat(server.get(imageUrl.substring(server.base.length()), null).status()).isEqualTo(200);
            JsonNode thrown = gens.get(1);
            assertThat(thrown.get("model").asText()).isEqualTo("scripted-throws");
            assertThat(thrown.get("status").asText()).isEqualTo("FAILED");
            assertThat(thrown.get("status_code").asInt()).isEqualTo(500);
            assertThat(thrown.get("cost").decimalValue()).isEqualByComparingTo("0");
            assertThat(thrown.get("error").asText()).contains("scripted model failure");
            assertThat(thrown.get("output_url").isNull()).isTrue();
            // a v1 call: no stored output, its seed kept (the drawn one for seed -1)
            JsonNode echo = gens.get(2);
            assertThat(echo.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(echo.get("seed").asLong()).isEqualTo(42);
            assertThat(echo.get("output_url").isNull()).isTrue();

            JsonNode page2 = sdkGet(server, "/inference-request/generations", key, query("page", 2)).json();
            assertThat(page2.get("generations")).hasSize(2);
            List<String> all = new ArrayList<>();
            gens.forEach(g -> all.add(g.get("request_id").asText()));
            page2.get("generations").forEach(g -> all.add(g.get("request_id").asText()));
            assertThat(all).doesNotHaveDuplicates().containsAll(echoIds);
            assertThat(page2.get("generations").get(1).get("request_id").asText()).isEqualTo(echoIds.getFirst());
            assertThat(page2.get("generations").get(1).get("seed").asLong()).isBetween(0L, 2147483647L);

            // every filter the SDK can send, in its order: page, model_name, start_date, end_date
            JsonNode filtered = sdkGet(server, "/inference-request/generations", key,
                    query("page", 1, "model_name", "scripted-echo", "start_date", today(), "end_date", today())).json();
            assertThat(filtered.get("total").asLong()).isEqualTo(20);
            assertThat(filtered.get("model_name").asText()).isEqualTo("scripted-echo");
            assertThat(filtered.get("start_date").asText()).isEqualTo(today());
            String yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
            String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
            assertThat(sdkGet(server, "/inference-request/generations", key, query("page", 1, "end_date", yesterday)).json()
                    .get("total").asLong()).isZero();
            assertThat(sdkGet(server, "/inference-request/generations", key, query("page", 1, "start_date", tomorrow)).json()
                    .get("generations")).isEmpty();

            // another account sees only its own call
            JsonNode bobs = sdkGet(server, "/inference-request/generations", bobKey, query("page", 1)).json();
            assertThat(bobs.get("total").asLong()).isEqualTo(1);
            assertThat(bobs.get("generations").get(0).get("request_id").asText()).isNotIn(all);

            // bad input: 422 naming the parameter
            for (Map<String, Object> bad : List.of(query("page", 0), query("page", "abc"), query("page", 3),
                    query("page", 1, "start_date", "2025-02-30"), query("page", 1, "end_date", "12/05/2026"),
                    query("page", 1, "start_date", today(), "end_date", yesterday), query("page", 1, "start_date", "+99999-01-01"),
                    query("page", 1, "model_name", "m".repeat(300)))) {
                Reply refused = sdkGet(server, "/inference-request/generations", key, bad);
                assertThat(refused.status()).as(bad + " " + refused.body()).isEqualTo(422);
                String named = bad.keySet().stream().filter(k -> refused.json().get("error").asText().startsWith(k)).findFirst().orElse(null);
                assertThat(named).as(refused.body()).isNotNull();
            }
            assertThat(sdkGet(server, "/inference-request/generations", null, query("page", 1)).status()).isEqualTo(401);
            assertThat(sdkGet(server, "/inference-request/generations", HearthServer.ADMIN_KEY, query("page", 1)).status()).isEqualTo(403);

            // generations.recent(model_name)
            JsonNode recent = sdkGet(server, "/inference-request/recent-generations", key, query("model_name", "scripted-echo")).json();
            assertThat(recent.get("model_name").asText()).isEqualTo("scripted-echo");
            assertThat(recent.get("generations")).hasSize(10);
            assertThat(recent.get("generations").get(0).get("request_id").asText()).isEqualTo(echoIds.getLast());
            assertThat(sdkGet(server, "/inference-request/recent-generations", key, query("model_name", "sdk-image")).json()
                    .get("generations")).hasSize(1);
            assertThat(sdkGet(server, "/inference-request/recent-generations", bobKey, query("model_name", "sdk-image")).json()
                    .get("generations")).isEmpty();
            Reply noModel = sdkGet(server, "/inference-request/recent-generations", key, Map.of());
            assertThat(noModel.status()).isEqualTo(422);
            assertThat(noModel.json().get("error").asText()).startsWith("model_name");
            assertThat(sdk(server, "POST", "/inference-request/generations", key, null, null, null).status()).isEqualTo(405);
        }
    }

    // ---- models.list(), accounts.current(), input-upload

    @Test
    void modelsAccountAndInputUploadAnswerAsTheSdkExpects() throws Exception {
        try (HearthServer server = start(HearthServer.Store.SQLITE)) {
            JsonNode acc = server.createAccount("carol", "pro", "2.5");
            String key = acc.get("api_key").asText();

            Reply list = sdkGet(server, "/inference-model-information/list", key, null);
            assertThat(list.status()).as(list.body()).isEqualTo(200);
            JsonNode models = list.json().get("models");
            assertThat(list.json().get("count").asInt()).isEqualTo(models.size());
            JsonNode echo = find(models, "scripted-echo");
            assertThat(echo.get("type").asText()).isEqualTo("model");
            assertThat(echo.get("title").asText()).isEqualTo("scripted echo (test only)");
            assertThat(echo.get("category").asText()).isEqualTo("test");
            assertThat(echo.get("pricing").get("type").asText()).isEqualTo("per_call");
            assertThat(echo.get("pricing").get("price").decimalValue()).isEqualByComparingTo("0.01");
            assertThat(echo.get("premium").asBoolean()).isFalse();
            assertThat(echo.get("status").asText()).isIn("cold", "booting", "warm");
            JsonNode schema = server.get(echo.get("input_schema_url").asText().substring(server.base.length()), key).json();
            assertThat(schema.get("properties").get("seed").get("default").asInt()).isEqualTo(42);
            assertThat(find(models, "sdk-llm").get("category").asText()).isEqualTo("llm");

            // the account's own published workflow is listed as such
            ObjectNode wf = Json.object().put("name", "my flow");
            wf.set("graph", Json.MAPPER.readTree("""
                    {"nodes": [{"id": "in", "type": "input", "name": "prompt", "params": {"type": "text"}},
                               {"id": "m", "type": "model", "model": "bge-small-en-v1.5", "params": {}},
                               {"id": "out", "type": "output", "name": "result", "params": {}}],
                     "edges": [{"from": "in.value", "to": "m.text"}, {"from": "m.output", "to": "out.value"}]}"""));
            Reply saved = server.post("/v1/workflows", key, wf);
            assertThat(saved.status()).as(saved.body()).isEqualTo(200);
            String wid = saved.json().get("workflow_id").asText();
            Reply published = server.post("/v1/workflows/" + wid + "/publish", key, "{}");
            assertThat(published.status()).as(published.body()).isEqualTo(200);
            JsonNode listed = find(sdkGet(server, "/inference-model-information/list", key, null).json().get("models"), wid + "-v1");
            assertThat(listed.get("type").asText()).isEqualTo("workflow");
            assertThat(listed.get("title").asText()).isEqualTo("my flow");
            assertThat(listed.get("input_schema_url").asText()).endsWith("/v1/workflows/" + wid);
            assertThat(listed.get("inputs").get(0).get("name").asText()).isEqualTo("prompt");

            // the account's dedicated endpoint is listed under its name, with its model's schema and its hourly rate
            JsonNode ep = EndpointsIT.addOk(server, key, """
                    {"endpoint_name": "my-echo", "model_name": "scripted-echo", "workers_min": 0, "workers_max": 1, "idle_timeout": 60,
                     "execution_timeout": 30, "scaler_type": "REQUEST_COUNT", "scaler_value": 1, "gpu_id": "cpu"}""");
            JsonNode listedEp = find(sdkGet(server, "/inference-model-information/list", key, null).json().get("models"), "my-echo");
            assertThat(listedEp.get("type").asText()).isEqualTo("endpoint");
            assertThat(listedEp.get("endpoint_id").asText()).isEqualTo(ep.get("endpoint_id").asText());
            assertThat(listedEp.get("pricing").get("type").asText()).isEqualTo("per_worker_hour");
            assertThat(listedEp.get("input_schema_url").asText()).isEqualTo(echo.get("input_schema_url").asText());
            String otherKey = server.createAccount("dan", "pro", "1").get("api_key").asText();
            JsonNode othersList = sdkGet(server, "/inference-model-information/list", otherKey, null).json().get("models");
            assertThat(othersList.findValuesAsText("slug")).doesNotContain("my-echo", wid + "-v1").contains("scripted-echo");

            // accounts.current(): the same balances as get-user-credits, the limits in force
            Reply me = sdkGet(server, "/api/auth/authenticate", key, null);
            assertThat(me.status()).as(me.body()).isEqualTo(200);
            JsonNode a = me.json();
            assertThat(a.get("id").asText()).isEqualTo(acc.get("account_id").asText());
            assertThat(a.get("name").asText()).isEqualTo("carol");
            assertThat(a.get("plan").asText()).isEqualTo("pro");
            assertThat(a.get("status").asText()).isEqualTo("active");
            JsonNode credits = server.get("/v1/get-user-credits", key).json();
            assertThat(a.get("credits").decimalValue()).isEqualByComparingTo(credits.get("credits").decimalValue());
            assertThat(a.get("free-credits").decimalValue()).isEqualByComparingTo("2.5").isEqualByComparingTo(credits.get("free-credits").decimalValue());
            assertThat(a.get("limits").get("requests_per_minute").asLong()).isEqualTo(50);
            assertThat(a.get("limits").get("concurrent_jobs").asInt()).isEqualTo(10);
            assertThat(a.get("limits").get("read_requests_per_minute").asLong()).isEqualTo(600);
            assertThat(a.get("created_at").asText()).startsWith(today());
            assertThat(sdkGet(server, "/api/auth/authenticate", "SG_" + "x".repeat(32), null).status()).isEqualTo(401);
            assertThat(sdkGet(server, "/api/auth/authenticate", HearthServer.ADMIN_KEY, null).status()).isEqualTo(403);

            // the older upload: multipart with one part named file, answered like /upload-asset
            byte[] png = ScriptedRunners.png(3);
            byte[] random = new byte[16];
            new java.security.SecureRandom().nextBytes(random);
            String boundary = HexFormat.of().formatHex(random);   // httpx: os.urandom(16).hex()
            Reply up = sdk(server, "POST", "/inference-request/input-upload", key, null,
                    httpxMultipart(boundary, "file", "cat.png", "image/png", png), boundary);
            assertThat(up.status()).as(up.body()).isEqualTo(200);
            JsonNode u = up.json();
            assertThat(u.get("urls")).hasSize(1);
            assertThat(u.get("file_urls")).isEqualTo(u.get("urls"));
            assertThat(u.get("ids")).hasSize(1);
            HttpResponse<byte[]> file = HTTP.send(HttpRequest.newBuilder(URI.create(u.get("urls").get(0).asText())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(file.body()).isEqualTo(png);
            assertThat(file.headers().firstValue("content-type")).hasValue("image/png");
            Reply wrongPart = sdk(server, "POST", "/inference-request/input-upload", key, null,
                    httpxMultipart(boundary, "image", "cat.png", "image/png", png), boundary);
            assertThat(wrongPart.status()).isEqualTo(422);
            assertThat(wrongPart.json().get("error").asText()).startsWith("$.file");
            Reply json = server.post("/inference-request/input-upload", key, "{\"data_urls\": []}");
            assertThat(json.status()).isEqualTo(422);
            Reply notPng = sdk(server, "POST", "/inference-request/input-upload", key, null,
                    httpxMultipart(boundary, "file", "cat.png", "image/png", "not an image".getBytes(StandardCharsets.UTF_8)), boundary);
            assertThat(notPng.status()).isEqualTo(422);
            assertThat(server.get("/v1/assets", key).json().get("assets")).hasSize(1);
        }
    }

    @Test
    void theSdkRoutesSpendTheReadLimitNotTheModelCallLimit() throws Exception {
        try (HearthServer server = start(HearthServer.Store.SQLITE)) {
            JsonNode acc = server.createAccount("frank", "pro", "1");
            String key = acc.get("api_key").asText();
            Reply set = server.send("PUT", "/admin/accounts/" + acc.get("account_id").asText() + "/limits", HearthServer.ADMIN_KEY,
                    "application/json", "{\"read_requests_per_minute\": 4}");
            assertThat(set.status()).as(set.body()).isEqualTo(200);
            assertThat(sdkGet(server, "/inference-model-information/list", key, null).status()).isEqualTo(200);
            assertThat(sdkGet(server, "/inference-request/generations", key, query("page", 1)).status()).isEqualTo(200);
            assertThat(sdkGet(server, "/inference-request/recent-generations", key, query("model_name", "scripted-echo")).status()).isEqualTo(200);
            assertThat(sdkGet(server, "/api/auth/authenticate", key, null).status()).isEqualTo(200);
            Reply refused = sdkGet(server, "/api/auth/authenticate", key, null);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.json().get("error").asText()).contains("reads per minute");
            assertThat(refused.header("Retry-After")).isNotNull();
            // model calls have their own budget
            assertThat(server.post("/v1/scripted-echo", key, "{}").status()).isEqualTo(200);
        }
    }

    private static JsonNode find(JsonNode models, String slug) {
        for (JsonNode m : models) if (m.get("slug").asText().equals(slug)) return m;
        throw new AssertionError(slug + " not listed in " + models);
    }

    // ---- GENERATION webhooks, rate headers, LLM output

    @Test
    void everyEndedCallOfTheAccountIsDeliveredSignedToItsGenerationWebhook() throws Exception {
        try (HearthServer server = start(HearthServer.Store.SQLITE); WebhookReceiver receiver = new WebhookReceiver()) {
            List<WebhookReceiver.Hit> hits = receiver.hits;
            String key = server.createAccount("dave", "pro", "3").get("api_key").asText();
            String otherKey = server.createAccount("erin", "pro", "1").get("api_key").asText();
            String secret = server.get("/v1/webhook-secret", key).json().get("secret").asText();
            ObjectNode add = Json.object().put("webhook_url", receiver.url());
            add.putObject("event").putArray("types").add("GENERATION");
            Reply added = server.post("/webhook/add", key, add);
            assertThat(added.status()).as(added.body()).isEqualTo(200);
            String webhookId = added.json().get("webhook_id").asText();
            ObjectNode unknown = add.deepCopy();
            unknown.putObject("event").putArray("types").add("GENERATIONS");
            assertThat(server.post("/webhook/add", key, unknown).status()).isEqualTo(422);

            Reply v1 = server.post("/v1/scripted-echo", key, "{\"seed\": 5}");
            // rate headers in both spellings, with the same numbers
            assertThat(v1.header("x-rate-limit-limit")).isEqualTo(v1.header("x-ratelimit-limit")).isEqualTo("50");
            assertThat(v1.header("x-rate-limit-remaining")).isEqualTo(v1.header("x-ratelimit-remaining")).isNotNull();
            Reply v1Failed = server.post("/v1/scripted-throws", key, "{}");
            Reply v1Image = server.post("/v1/sdk-image", key, "{}");
            Reply v1Llm = server.post("/v1/sdk-llm", key, "{\"prompt\": \"hi\"}");
            assertThat(v1Llm.json().get("echo").get("prompt").asText()).isEqualTo("hi"); // v1 answers the provider JSON itself
            String v2Image = server.post("/v2/sdk-image", key, "{}").json().get("request_id").asText();
            JsonNode v2ImageResult = waitV2(server, key, v2Image);
            String v2Llm = server.post("/v2/sdk-llm", key, "{\"prompt\": \"hello\"}").json().get("request_id").asText();
            JsonNode v2LlmResult = waitV2(server, key, v2Llm);
            String v2Echo = server.post("/v2/scripted-echo", key, "{}").json().get("request_id").asText();
            JsonNode v2EchoResult = waitV2(server, key, v2Echo);
            server.post("/v1/scripted-echo", otherKey, "{}");   // another account: not delivered here
            server.post("/v1/nope", key, "{}");                 // refused before it was admitted: not a generation

            // SPEC §3.2: an LLM's output is the provider JSON as a string; other JSON stays inlined
            assertThat(v2LlmResult.get("output").isTextual()).isTrue();
            assertThat(Json.MAPPER.readTree(v2LlmResult.get("output").asText()).get("echo").get("prompt").asText()).isEqualTo("hello");
            assertThat(v2EchoResult.get("output").isObject()).isTrue();

            await().atMost(Duration.ofSeconds(30)).until(() -> hits.size() >= 7);
            Thread.sleep(500);
            assertThat(hits).hasSize(7);
            Map<String, JsonNode> events = new HashMap<>();
            for (WebhookReceiver.Hit h : hits) {
                String id = h.header("webhook-id");
                long ts = Long.parseLong(h.header("webhook-timestamp"));
                assertThat(h.header("webhook-signature")).isEqualTo(WebhookSigner.sign(secret, id, ts, h.body()));
                JsonNode e = Json.MAPPER.readTree(h.body());
                assertThat(e.get("event_type").asText()).isEqualTo("GENERATION");
                events.put(e.get("request_id").asText(), e);
            }
            JsonNode e1 = events.get(v1.header("x-request-id"));
            assertThat(e1.get("model").asText()).isEqualTo("scripted-echo");
            assertThat(e1.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(e1.get("seed").asLong()).isEqualTo(5);
            assertThat(e1.get("output").get("echo").get("seed").asLong()).isEqualTo(5);
            assertThat(e1.get("metrics").get("cost").decimalValue()).isEqualByComparingTo("0.01");
            assertThat(e1.get("metrics").get("remaining_credits").decimalValue()).isEqualByComparingTo(v1.header("x-remaining-credits"));
            JsonNode failedEvent = events.get(v1Failed.header("x-request-id"));
            assertThat(failedEvent.get("status").asText()).isEqualTo("FAILED");
            assertThat(failedEvent.get("error").asText()).contains("scripted model failure");
            assertThat(failedEvent.get("metrics").get("cost").decimalValue()).isEqualByComparingTo("0");
            assertThat(events.get(v1Image.header("x-request-id")).has("output")).isFalse();   // v1 media is not stored
            assertThat(events.get(v1Llm.header("x-request-id")).get("output").isTextual()).isTrue();
            assertThat(events.get(v2Image).get("output").asText()).isEqualTo(v2ImageResult.get("output").asText());
            assertThat(events.get(v2Llm).get("output")).isEqualTo(v2LlmResult.get("output"));
            assertThat(events.get(v2Echo).get("output")).isEqualTo(v2EchoResult.get("output"));
            assertThat(events.get(v2Echo).get("metrics").get("cost").decimalValue())
                    .isEqualByComparingTo(v2EchoResult.get("metrics").get("cost").decimalValue());

            // workflow model nodes have NODE_RUN, not GENERATION: a run of the template adds no delivery. Deliveries are
            // queued with the usage records, so once those are written the deliveries are all there is.
            Reply run = server.post("/workflows/" + dev.hearth.workflows.Templates.EMBED_AND_COMPARE + "-v1", key,
                    Json.object().put("text_a", "a cat").put("text_b", "a kitten"));
            assertThat(run.status()).as(run.body()).isEqualTo(200);
            String runId = run.json().get("request_id").asText();
            await().atMost(Duration.ofSeconds(120)).until(() -> server.get("/workflows/request/" + runId, key).json()
                    .path("status").asText().matches("COMPLETED|FAILED"));
            assertThat(server.get("/workflows/request/" + runId, key).json().get("status").asText()).isEqualTo("COMPLETED");
            server.app.usage().flush();
            JsonNode nodes = sdkGet(server, "/inference-request/generations", key, query("page", 1, "model_name", "bge-small-en-v1.5")).json();
            assertThat(nodes.get("total").asLong()).isEqualTo(2);
            nodes.get("generations").forEach(g -> assertThat(g.get("workflow_run_id").asText()).isEqualTo(runId));

            // the registry's dispatch log shows each delivery
            Reply logs = server.get("/webhook/dispatch-logs?webhook_id=" + webhookId, key);
            assertThat(logs.status()).as(logs.body()).isEqualTo(200);
            List<String> logged = new ArrayList<>();
            logs.json().forEach(l -> {
                assertThat(l.get("event").asText()).isEqualTo("GENERATION");
                logged.add(l.get("request_id").asText());
            });
            assertThat(logged).containsExactlyInAnyOrderElementsOf(events.keySet());
        }
    }
}
