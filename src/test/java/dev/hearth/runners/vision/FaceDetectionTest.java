package dev.hearth.runners.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.TestArtifacts;
import dev.hearth.TestPhotos;
import dev.hearth.artifacts.ResolvingRunnerFactory;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * BlazeFace (npm {@code @mediapipe/face_detection}) on OpenCV 4.9 (Maven {@code org.openpnp:opencv}), both fetched
 * through the artifact cache, on real photos from Debian packages: scikit-image's astronaut portrait (one face,
 * whose box and landmarks must sit where her face is) and darknet's person.jpg (a person seen from behind with a
 * dog and a horse: no face).
 */
public class FaceDetectionTest {

    public static final String FACES = "npm:@mediapipe/face_detection@0.4.1657300184!/";
    public static final String OPENCV = "maven:org.openpnp:opencv:4.9.0-0";
    static Runner runner;

    @BeforeAll
    static void boot() throws Exception {
        TestArtifacts.resolve(OPENCV);
        TestArtifacts.resolve(FACES + "face_detection_full_range.tflite");
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("runtime", OPENCV)
                .put("short_range", FACES + "face_detection_short_range.tflite").put("full_range", FACES + "face_detection_full_range.tflite");
        RunnerSpec spec = ResolvingRunnerFactory.resolve(TestArtifacts.cache(), new RunnerSpec("blazeface", params), s -> { });
        runner = new FaceDetectionRunnerFactory().boot(spec, s -> { });
    }

    @AfterAll
    static void close() throws Exception {
        if (runner != null) runner.close();
    }

    public static String dataUrl(Path photo) throws Exception {
        String type = photo.toString().endsWith(".png") ? "image/png" : "image/jpeg";
        return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(photo));
    }

    static JsonNode detect(ObjectNode params) throws Exception {
        return ((RunOutput.Json) runner.run(new RunInput("test", params, null))).body();
    }

    static ObjectNode photo(Path p) throws Exception {
        return JsonNodeFactory.instance.objectNode().put("image", dataUrl(p));
    }

    @Test
    void theAstronautHasOneFaceWithItsLandmarksInPlace() throws Exception {
        for (String range : new String[]{"full", "short"}) {
            JsonNode out = detect(photo(TestPhotos.skimage("astronaut.png")).put("range", range));
            assertThat(out.get("count").asInt()).as(range).isEqualTo(1);
            assertThat(out.get("width").asInt()).isEqualTo(512);
            JsonNode face = out.get("faces").get(0);
            assertThat(face.get("score").asDouble()).as(range).isGreaterThan(0.8);
            // her face spans about x 165–290, y 55–195 in this 512×512 portrait
            JsonNode box = face.get("box");
            double cx = box.get("x").asDouble() + box.get("width").asDouble() / 2;
            double cy = box.get("y").asDouble() + box.get("height").asDouble() / 2;
            assertThat(cx).as(range).isBetween(195.0, 255.0);
            assertThat(cy).as(range).isBetween(95.0, 165.0);
            assertThat(box.get("width").asDouble()).as(range).isBetween(60.0, 160.0);
            JsonNode marks = face.get("landmarks");
            // seen from the front, her right eye is on the image's left; both above the nose, the nose above the mouth
            assertThat(marks.get("right_eye").get(0).asDouble()).isLessThan(marks.get("left_eye").get(0).asDouble());
            assertThat(marks.get("right_eye").get(1).asDouble()).isLessThan(marks.get("nose_tip").get(1).asDouble());
            assertThat(marks.get("nose_tip").get(1).asDouble()).isLessThan(marks.get("mouth_center").get(1).asDouble());
            assertThat(marks.get("right_ear").get(0).asDouble()).isLessThan(marks.get("right_eye").get(0).asDouble());
        }
    }

    @Test
    void aPersonSeenFromBehindWithADogAndAHorseHasNoFace() throws Exception {
        JsonNode out = detect(photo(TestPhotos.darknet("person.jpg")));
        assertThat(out.get("count").asInt()).isZero();
        assertThat(out.get("faces")).isEmpty();
    }

    @Test
    void annotateAddsTheImageWithTheBoxDrawn() throws Exception {
        JsonNode out = detect(photo(TestPhotos.skimage("astronaut.png")).put("annotate", true).put("output_format", "png"));
        assertThat(out.get("content_type").asText()).isEqualTo("image/png");
        var img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(out.get("image").asText())));
        assertThat(img.getWidth()).isEqualTo(512);
        JsonNode box = out.get("faces").get(0).get("box");
        // the box's top edge is drawn in green
        int rgb = img.getRGB((int) (box.get("x").asDouble() + box.get("width").asDouble() / 2), (int) Math.round(box.get("y").asDouble()));
        assertThat((rgb >> 8) & 0xff).isGreaterThan(180);
        assertThat((rgb >> 16) & 0xff).isLessThan(60);
    }

    @Test
    void aHigherThresholdNeverFindsMoreFaces() throws Exception {
        int loose = detect(photo(TestPhotos.darknet("kite.jpg")).put("min_confidence", 0.3)).get("count").asInt();
        int strict = detect(photo(TestPhotos.darknet("kite.jpg")).put("min_confidence", 0.9)).get("count").asInt();
        assertThat(strict).isLessThanOrEqualTo(loose);
    }

    @Test
    void notAnImageIsRefused() {
        assertThatThrownBy(() -> runner.run(new RunInput("t", JsonNodeFactory.instance.objectNode().put("image", "aGVsbG8="), null)))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'image'");
        assertThatThrownBy(() -> detect(JsonNodeFactory.instance.objectNode().put("image", "aGVsbG8=").put("range", "far")))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'range'");
    }
}
