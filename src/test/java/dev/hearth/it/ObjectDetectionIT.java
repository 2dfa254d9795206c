package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.TestArtifacts;
import dev.hearth.TestPhotos;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.runners.vision.FaceDetectionTest;
import dev.hearth.runners.vision.ObjectDetectionTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code object-detection} on a real Hearth over HTTP, with TensorFlow Java and the CenterNet weights fetched into
 * the test cache and darknet's photos from Debian: the sync API with one charge per call, the v2 queue, a workflow
 * with the model as a node, cold → warm → cold with its idle timeout, and refusals (not an image, an image over
 * the pixel limit, wrong types, an unknown label) that are 422 and cost nothing. The ledger's invariants are checked
 * when the server closes.
 */
class ObjectDetectionIT {

    static HearthServer server;
    static String key;
    static String dog;

    @BeforeAll
    static void start() throws Exception {
        ObjectDetectionTest.fetchAll();
        dog = FaceDetectionTest.dataUrl(TestPhotos.darknet("dog.jpg"));
        // a 2 s idle timeout, so a test sees the model unload and boot again on the same TensorFlow runtime
        Path catalog = Files.createTempDirectory("hearth-objdet-catalog");
        HearthServer.writeQuicklyIdleEntry(catalog, "object-detection");
        server = HearthServer.start(HearthServer.Store.SQLITE,
                Map.of("catalog.dir", catalog.toString(), "artifacts.dir", TestArtifacts.DIR.toString()), Map.of());
        key = server.createAccount("detect", "pro", "5").get("api_key").asText();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static BigDecimal credits() {
        JsonNode c = server.get("/v1/get-user-credits", key).json();
        return c.get("credits").decimalValue().add(c.get("free-credits").decimalValue());
    }

    static List<String> labels(JsonNode answer) {
        List<String> labels = new ArrayList<>();
        answer.get("objects").forEach(o -> labels.add(o.get("label").asText()));
        return labels;
    }

    @Test
    void aSyncCallFindsTheDogTheBicycleAndTheCarAndCostsOneCall() {
        BigDecimal before = credits();
        Reply r = server.post("/v1/object-detection", key, Json.object().put("image", dog));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(labels(r.json())).contains("dog", "bicycle", "car");
        assertThat(r.json().get("width").asInt()).isEqualTo(768);
        assertThat(r.header("x-cost")).isEqualTo("0.001");
        assertThat(credits()).isEqualByComparingTo(before.subtract(new BigDecimal("0.001")));
    }

    @Test
    void theV2QueueAnswersTheSameObjects() throws Exception {
        Reply submitted = server.post("/v2/object-detection", key,
                Json.object().put("image", FaceDetectionTest.dataUrl(TestPhotos.darknet("person.jpg"))));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
        String id = submitted.json().get("request_id").asText();
        await().atMost(Duration.ofSeconds(120)).until(() -> server.get("/v2/requests/" + id + "/status", key).json().get("status").asText().equals("COMPLETED"));
        JsonNode result = server.get("/v2/requests/" + id, key).json();
        assertThat(result.get("metrics").get("cost").decimalValue()).isEqualByComparingTo("0.001");
        assertThat(result.get("output").toString()).contains("\"person\"", "\"dog\"", "\"horse\"");
    }

    @Test
    void aWorkflowRunsTheModelAsANodeWithItsClassFilter() throws Exception {
        BigDecimal before = credits();
        ObjectNode wf = Json.object().put("name", "find dogs");
        wf.set("graph", Json.MAPPER.readTree("""
                {"nodes": [{"id": "in", "type": "input", "name": "photo", "params": {"type": "image"}},
                           {"id": "detect", "type": "model", "model": "object-detection", "params": {"classes": "dog"}},
                           {"id": "out", "type": "output", "name": "dogs", "params": {}}],
                 "edges": [{"from": "in.value", "to": "detect.image"}, {"from": "detect.output", "to": "out.value"}]}"""));
        Reply saved = server.post("/v1/workflows", key, wf);
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        String wid = saved.json().get("workflow_id").asText();
        assertThat(server.post("/v1/workflows/" + wid + "/publish", key, "{}").status()).isEqualTo(200);
        Reply started = server.post("/workflows/" + wid + "-v1", key, Json.object().put("photo", dog));
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        JsonNode run = server.finishedWorkflowRun(key, started.json().get("request_id").asText());
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        String output = run.get("output").toString();
        // the filter keeps the dog and drops the bicycle and the car
        assertThat(output).contains("dog").doesNotContain("bicycle").doesNotContain("\\\"car\\\"").doesNotContain("\"car\"");
        assertThat(credits()).isEqualByComparingTo(before.subtract(new BigDecimal("0.001")));
    }

    static String status() {
        return server.get("/v1/models/object-detection", key).json().get("status").asText();
    }

    @Test
    void theModelUnloadsWhenIdleAndBootsAgainOnTheSameTensorFlow() throws Exception {
        String horses = FaceDetectionTest.dataUrl(TestPhotos.darknet("horses.jpg"));
        await().atMost(Duration.ofSeconds(60)).until(() -> status().equals("cold"));
        long boots = server.app.pool().boots("object-detection");
        for (int i = 0; i < 2; i++) {
            Reply r = server.post("/v1/object-detection", key, Json.object().put("image", horses));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(labels(r.json())).contains("horse");
            assertThat(status()).isEqualTo("warm");
            await().atMost(Duration.ofSeconds(60)).until(() -> status().equals("cold"));
        }
        assertThat(server.app.pool().boots("object-detection")).isEqualTo(boots + 2);
    }

    @Test
    void badInputIs422AndCostsNothing() throws IOException {
        BigDecimal before = credits();
        // 7000 × 6000 = 42 MP, over the 40 MP limit, but a tiny PNG: one bit a pixel, all black
        ByteArrayOutputStream huge = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(7000, 6000, BufferedImage.TYPE_BYTE_BINARY), "png", huge);
        String hugePng = "data:image/png;base64," + Base64.getEncoder().encodeToString(huge.toByteArray());
        Map<String, String> refusals = Map.of(
                "{}", "image",
                "{\"image\": \"aGVsbG8gd29ybGQ=\"}", "image",
                "{\"image\": \"data:text/plain;base64,aGVsbG8=\"}", "image",
                "{\"image\": \"" + hugePng + "\"}", "limit",
                "{\"image\": \"aGVsbG8=\", \"min_confidence\": \"high\"}", "min_confidence",
                "{\"image\": \"aGVsbG8=\", \"max_detections\": 500}", "max_detections",
                "{\"image\": \"aGVsbG8=\", \"classes\": [\"dog\"]}", "classes",
                "{\"image\": \"" + dog + "\", \"classes\": \"dog, unicorn\"}", "unicorn",
                "{\"image\": \"aGVsbG8=\", \"boxes\": 1}", "boxes");
        refusals.forEach((bad, says) -> {
            Reply r = server.post("/v1/object-detection", key, bad);
            String shown = bad.length() > 120 ? bad.substring(0, 120) + "…" : bad;
            assertThat(r.status()).as(shown + " → " + r.body()).isEqualTo(422);
            assertThat(r.json().get("error").asText()).as(shown).containsIgnoringCase(says);
        });
        assertThat(credits()).isEqualByComparingTo(before);
    }

    @Test
    void theCatalogDescribesTheModelItsLicenceAndPrice() {
        JsonNode m = server.get("/v1/models/object-detection", key).json();
        assertThat(m.get("category").asText()).isEqualTo("object-detection");
        assertThat(m.get("input_schema").get("properties").get("image").get("x-hearth-media").asText()).isEqualTo("image");
        assertThat(m.get("pricing").get("price").decimalValue()).isEqualByComparingTo("0.001");
        assertThat(m.get("description").asText()).contains("Apache-2.0", "MIT");
    }
}
