package dev.hearth.it;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.hearth.TestArtifacts;
import dev.hearth.TestPhotos;
import dev.hearth.runners.speech.SpeechTest;
import dev.hearth.runners.vision.FaceDetectionTest;
import dev.hearth.runners.vision.ObjectDetectionTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's playground in a real browser (Debian's chromium) with the runtime models: face-detection draws
 * one box over the astronaut's face, object-detection labelled boxes over darknet's dog.jpg, text-to-speech gives an audio player whose WAV the browser decodes. The watched
 * context fails the test on any console error (a CSP violation included) and on a key in a URL.
 */
class RuntimeModelsPlaygroundIT {

    private static final double BOOT_WAIT_MS = 180_000;
    static HearthServer server;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        chromium = Chromium.launchOrSkip();
        TestArtifacts.resolve(FaceDetectionTest.OPENCV);
        TestArtifacts.resolve(FaceDetectionTest.FACES + "face_detection_full_range.tflite");
        TestArtifacts.resolve(SpeechTest.RUNTIME);
        ObjectDetectionTest.fetchAll();
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("artifacts.dir", TestArtifacts.DIR.toString()), Map.of());
    }

    @AfterAll
    static void stop() {
        if (chromium != null) chromium.close();
        if (server != null) server.close();
    }

    @Test
    void faceDetectionDrawsTheBoxOverThePhoto() throws Exception {
        String key = server.createAccount("faces", "pro", "1").get("api_key").asText();
        try (Chromium.Watched watched = chromium.watched(1280, 900, 30_000)) {
            Page page = watched.signIn(server.base, key);
            page.navigate(server.base + "/#/models/face-detection");
            page.waitForSelector("#f-image");
            page.fill("#f-image", FaceDetectionTest.dataUrl(TestPhotos.skimage("astronaut.png")));
            page.click("#run");
            Locator box = page.locator("figure.detections .detection");
            box.first().waitFor(new Locator.WaitForOptions().setTimeout(BOOT_WAIT_MS));
            assertThat(page.textContent("#run-code")).isEqualTo("200");
            assertThat(box.count()).isEqualTo(1);
            assertThat(box.first().textContent()).startsWith("face 0.9");
            // the box sits over her face: about x 34–55 %, y 14–34 % of the picture
            double left = Double.parseDouble(box.first().evaluate("e => e.style.left").toString().replace("%", ""));
            double top = Double.parseDouble(box.first().evaluate("e => e.style.top").toString().replace("%", ""));
            assertThat(left).isBetween(30.0, 42.0);
            assertThat(top).isBetween(10.0, 20.0);
        }
    }

    @Test
    void objectDetectionDrawsLabelledBoxesOverThePhoto() throws Exception {
        String key = server.createAccount("objects", "pro", "1").get("api_key").asText();
        try (Chromium.Watched watched = chromium.watched(1280, 900, 30_000)) {
            Page page = watched.signIn(server.base, key);
            page.navigate(server.base + "/#/models/object-detection");
            page.waitForSelector("#f-image");
            page.fill("#f-image", FaceDetectionTest.dataUrl(TestPhotos.darknet("dog.jpg")));
            page.click("#run");
            Locator box = page.locator("figure.detections .detection");
            box.first().waitFor(new Locator.WaitForOptions().setTimeout(BOOT_WAIT_MS));
            assertThat(page.textContent("#run-code")).isEqualTo("200");
            List<String> labels = box.allTextContents();
            assertThat(labels).anyMatch(l -> l.startsWith("dog 0.")).anyMatch(l -> l.startsWith("bicycle 0.")).anyMatch(l -> l.startsWith("car 0."));
            // the car is parked at the top right of the photo: its box starts right of 55 % and above 20 %
            Locator car = box.filter(new Locator.FilterOptions().setHasText("car 0."));
            assertThat(Double.parseDouble(car.first().evaluate("e => e.style.left").toString().replace("%", ""))).isGreaterThan(55.0);
            assertThat(Double.parseDouble(car.first().evaluate("e => e.style.top").toString().replace("%", ""))).isLessThan(20.0);
        }
    }

    @Test
    void textToSpeechGivesAPlayableAudioPlayer() {
        String key = server.createAccount("speech", "pro", "1").get("api_key").asText();
        try (Chromium.Watched watched = chromium.watched(1280, 900, 30_000)) {
            Page page = watched.signIn(server.base, key);
            page.navigate(server.base + "/#/models/text-to-speech");
            page.waitForSelector("#f-text");
            page.fill("#f-text", SpeechTest.SENTENCE);
            page.click("#run");
            Locator audio = page.locator("#run-result audio");
            audio.waitFor(new Locator.WaitForOptions().setTimeout(BOOT_WAIT_MS));
            assertThat(page.textContent("#run-code")).isEqualTo("200");
            // the browser decodes the WAV: its duration is that of the sentence
            page.waitForFunction("() => document.querySelector('#run-result audio').readyState >= 1");
            double seconds = ((Number) audio.evaluate("a => a.duration")).doubleValue();
            assertThat(seconds).isBetween(2.0, 6.0);
        }
    }
}
