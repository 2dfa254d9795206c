package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.TestArtifacts;
import dev.hearth.TestPhotos;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.runners.vision.FaceDetectionTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code face-detection} over HTTP on a real Hearth, with OpenCV and BlazeFace fetched into the test cache and real
 * photos from Debian packages: a data URL and an uploaded asset URL as input, one charge per call, refusals that
 * cost nothing, and the catalog entry.
 */
class VisionModelsIT {

    static HearthServer server;
    static String key;

    @BeforeAll
    static void start() {
        TestArtifacts.resolve(FaceDetectionTest.OPENCV);
        TestArtifacts.resolve(FaceDetectionTest.FACES + "face_detection_full_range.tflite");
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("artifacts.dir", TestArtifacts.DIR.toString()), Map.of());
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
}
