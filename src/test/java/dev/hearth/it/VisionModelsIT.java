package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.TestArtifacts;
import dev.hearth.TestPhotos;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.runners.vision.BackgroundRemovalTest;
import dev.hearth.runners.vision.FaceDetectionTest;
import dev.hearth.workflows.Templates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code face-detection} and {@code background-removal} over HTTP on a real Hearth, with OpenCV and the MediaPipe
 * models fetched into the test cache and real photos from Debian packages: a data URL and an uploaded asset URL as
 * input, PNG bytes and base64 out, one charge per call, refusals that cost nothing, the catalog entries, and the
 * "cut out, then upscale" template run end to end.
 */
class VisionModelsIT {

    static HearthServer server;
    static String key;

    @BeforeAll
    static void start() throws IOException {
        TestArtifacts.resolve(FaceDetectionTest.OPENCV);
        TestArtifacts.resolve(FaceDetectionTest.FACES + "face_detection_full_range.tflite");
        TestArtifacts.resolve(BackgroundRemovalTest.MODEL);
        TestArtifacts.resolve("npm:@upscalerjs/esrgan-slim@1.0.0!/models/x2/model.json");
        // face-detection with a 2 s idle timeout, so a test sees it unload and boot again on the shared OpenCV
        Path catalog = Files.createTempDirectory("hearth-vision-catalog");
        HearthServer.writeQuicklyIdleEntry(catalog, "face-detection");
        server = HearthServer.start(HearthServer.Store.SQLITE,
                Map.of("catalog.dir", catalog.toString(), "artifacts.dir", TestArtifacts.DIR.toString()), Map.of());
        key = server.createAccount("vision", "pro", "5").get("api_key").asText();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static BigDecimal credits() {
        JsonNode c = server.get("/v1/get-user-credits", key).json();
        return c.get("credits").decimalValue().add(c.get("free-credits").decimalValue());
    }

    @Test
    void faceDetectionFindsTheAstronautsFaceAndCostsOneCall() throws Exception {
        BigDecimal before = credits();
        Reply r = server.post("/v1/face-detection", key, Json.object().put("image", FaceDetectionTest.dataUrl(TestPhotos.skimage("astronaut.png"))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode face = r.json().get("faces").get(0);
        assertThat(r.json().get("count").asInt()).isEqualTo(1);
        assertThat(face.get("box").get("x").asDouble()).isBetween(150.0, 220.0);
        assertThat(face.get("landmarks").get("nose_tip")).hasSize(2);
        assertThat(r.header("x-cost")).isEqualTo("0.0005");
        assertThat(credits()).isEqualByComparingTo(before.subtract(new BigDecimal("0.0005")));
    }

    @Test
    void anUploadedAssetIsAnInputAndAPhotoWithoutFacesAnswersNone() throws Exception {
        Reply up = server.post("/upload-asset", key, Json.object().set("data_urls",
                Json.MAPPER.createArrayNode().add(FaceDetectionTest.dataUrl(TestPhotos.darknet("person.jpg")))));
        assertThat(up.status()).as(up.body()).isEqualTo(200);
        Reply r = server.post("/v1/face-detection", key, Json.object().put("image", up.json().get("urls").get(0).asText()).put("range", "short"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("count").asInt()).isZero();
        assertThat(r.json().get("width").asInt()).isEqualTo(640);
    }

    static String status() {
        return server.get("/v1/models/face-detection", key).json().get("status").asText();
    }

    @Test
    void faceDetectionUnloadsWhenIdleAndBootsAgainOnTheSameOpenCv() throws Exception {
        String astronaut = FaceDetectionTest.dataUrl(TestPhotos.skimage("astronaut.png"));
        await().atMost(Duration.ofSeconds(30)).until(() -> status().equals("cold"));
        long boots = server.app.pool().boots("face-detection");
        for (int i = 0; i < 2; i++) {
            Reply r = server.post("/v1/face-detection", key, Json.object().put("image", astronaut));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().get("count").asInt()).isEqualTo(1);
            assertThat(status()).isEqualTo("warm");
            await().atMost(Duration.ofSeconds(30)).until(() -> status().equals("cold"));
        }
        assertThat(server.app.pool().boots("face-detection")).isEqualTo(boots + 2);
    }

    @Test
    void badInputIs422AndCostsNothing() {
        BigDecimal before = credits();
        for (String bad : new String[]{"{}", "{\"image\": \"aGVsbG8gd29ybGQ=\"}", "{\"image\": \"data:text/plain;base64,aGVsbG8=\"}",
                "{\"image\": \"aGVsbG8=\", \"range\": \"far\"}", "{\"image\": \"aGVsbG8=\", \"min_confidence\": 2}", "{\"image\": \"aGVsbG8=\", \"boxes\": 1}"}) {
            Reply r = server.post("/v1/face-detection", key, bad);
            assertThat(r.status()).as(bad + " → " + r.body()).isEqualTo(422);
        }
        assertThat(credits()).isEqualByComparingTo(before);
    }

    @Test
    void theCatalogDescribesTheModel() {
        JsonNode m = server.get("/v1/models/face-detection", key).json();
        assertThat(m.get("category").asText()).isEqualTo("face-detection");
        assertThat(m.get("input_schema").get("properties").get("image").get("x-hearth-media").asText()).isEqualTo("image");
        assertThat(m.get("pricing").get("price").decimalValue()).isEqualByComparingTo("0.0005");
    }

    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static HttpResponse<byte[]> postForBytes(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.base + path)).timeout(Duration.ofSeconds(120))
                .header("x-api-key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static BufferedImage png(byte[] bytes) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    @Test
    void backgroundRemovalAnswersAPngWithTheHorseTransparentAndCostsOneCall() throws Exception {
        BigDecimal before = credits();
        HttpResponse<byte[]> r = postForBytes("/v1/background-removal",
                Json.text(Json.object().put("image", FaceDetectionTest.dataUrl(TestPhotos.darknet("person.jpg")))));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("image/png");
        BufferedImage out = png(r.body());
        assertThat(out.getRGB(228, 190) >>> 24).as("the person").isGreaterThan(200);
        assertThat(out.getRGB(520, 200) >>> 24).as("the horse").isLessThan(60);
        assertThat(r.headers().firstValue("x-cost")).hasValue("0.001");
        assertThat(credits()).isEqualByComparingTo(before.subtract(new BigDecimal("0.001")));

        Reply mask = server.post("/v1/background-removal", key, Json.object()
                .put("image", FaceDetectionTest.dataUrl(TestPhotos.skimage("astronaut.png"))).put("mask", true).put("base64", true));
        assertThat(mask.status()).as(mask.body()).isEqualTo(200);
        BufferedImage m = png(Base64.getDecoder().decode(mask.json().get("image").asText()));
        assertThat(m.getRaster().getSample(225, 125, 0)).isGreaterThan(200);
        assertThat(m.getRaster().getSample(330, 40, 0)).isLessThan(60);
    }

    @Test
    void backgroundRemovalRefusesWhatIsNotAnImageAtNoCost() {
        BigDecimal before = credits();
        for (String bad : new String[]{"{}", "{\"image\": \"aGVsbG8gd29ybGQ=\"}", "{\"image\": \"aGVsbG8=\", \"mask\": \"yes\"}"}) {
            Reply r = server.post("/v1/background-removal", key, bad);
            assertThat(r.status()).as(bad + " → " + r.body()).isEqualTo(422);
        }
        assertThat(credits()).isEqualByComparingTo(before);
    }

    @Test
    void theCutOutThenUpscaleTemplateGivesATransparentImageTwiceTheSize() throws Exception {
        // the person of person.jpg with some field around them, 120 × 160, so the upscale stays quick
        BufferedImage crop = ImageIO.read(TestPhotos.darknet("person.jpg").toFile()).getSubimage(170, 90, 120, 160);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(crop, "png", bytes);
        String input = "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
        Reply started = server.post("/workflows/" + Templates.CUT_OUT_THEN_UPSCALE + "-v1", key, Json.object().put("image", input));
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        String id = started.json().get("request_id").asText();
        JsonNode run = server.finishedWorkflowRun(key, id);
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        String url = null;
        for (JsonNode n : run.get("nodes")) if (n.get("id").asText().equals("upscale")) url = n.get("output").asText();
        HttpResponse<byte[]> img = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        BufferedImage out = png(img.body());
        assertThat(out.getWidth()).isEqualTo(240);
        assertThat(out.getHeight()).isEqualTo(320);
        // the jacket (228,190 in the photo) stays opaque; the field at the crop's right edge is transparent
        assertThat(out.getRGB(2 * (228 - 170), 2 * (190 - 90)) >>> 24).isGreaterThan(200);
        assertThat(out.getRGB(2 * 115, 2 * 150) >>> 24).isLessThan(60);
    }
}
