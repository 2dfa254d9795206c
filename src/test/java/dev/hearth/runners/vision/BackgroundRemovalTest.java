package dev.hearth.runners.vision;

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
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MediaPipe selfie segmentation on OpenCV, fetched through the artifact cache, on real photos from Debian packages:
 * in darknet's person.jpg the person must stay opaque while the horse, the dog's field and the sky become
 * transparent; in scikit-image's astronaut portrait her face and suit stay and the wall goes.
 */
public class BackgroundRemovalTest {

    public static final String MODEL = "npm:@mediapipe/selfie_segmentation@0.1.1675465747!/selfie_segmentation.tflite";
    static Runner runner;

    @BeforeAll
    static void boot() throws Exception {
        TestArtifacts.resolve(FaceDetectionTest.OPENCV);
        TestArtifacts.resolve(MODEL);
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("runtime", FaceDetectionTest.OPENCV).put("model", MODEL);
        RunnerSpec spec = ResolvingRunnerFactory.resolve(TestArtifacts.cache(), new RunnerSpec("selfie-segmentation", params), s -> { });
        runner = new BackgroundRemovalRunnerFactory().boot(spec, s -> { });
    }

    @AfterAll
    static void close() throws Exception {
        if (runner != null) runner.close();
    }

    static BufferedImage cutOut(Path photo, boolean mask) throws Exception {
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("image", FaceDetectionTest.dataUrl(photo)).put("mask", mask);
        RunOutput.Media out = (RunOutput.Media) runner.run(new RunInput("test", params, null));
        assertThat(out.contentType()).isEqualTo("image/png");
        return ImageIO.read(new ByteArrayInputStream(out.bytes()));
    }

    static int alpha(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) >>> 24;
    }

    @Test
    void thePersonStaysAndTheHorseAndTheSkyGo() throws Exception {
        BufferedImage out = cutOut(TestPhotos.darknet("person.jpg"), false);
        assertThat(out.getWidth()).isEqualTo(640);
        assertThat(out.getHeight()).isEqualTo(424);
        assertThat(out.getColorModel().hasAlpha()).isTrue();
        // the blue jacket and the trousers
        assertThat(alpha(out, 228, 190)).isGreaterThan(200);
        assertThat(alpha(out, 232, 290)).isGreaterThan(200);
        // the horse's body, the sky, the grass in front
        assertThat(alpha(out, 520, 200)).isLessThan(60);
        assertThat(alpha(out, 320, 30)).isLessThan(60);
        assertThat(alpha(out, 400, 390)).isLessThan(60);
        // kept pixels keep their colour: the jacket is blue
        int jacket = out.getRGB(228, 190);
        assertThat(jacket & 0xff).isGreaterThan((jacket >> 16) & 0xff);
    }

    @Test
    void theMaskIsWhiteOnTheAstronautAndBlackOnTheWall() throws Exception {
        BufferedImage mask = cutOut(TestPhotos.skimage("astronaut.png"), true);
        assertThat(mask.getWidth()).isEqualTo(512);
        assertThat(mask.getRaster().getSample(225, 125, 0)).as("face").isGreaterThan(200);
        assertThat(mask.getRaster().getSample(200, 380, 0)).as("suit").isGreaterThan(200);
        assertThat(mask.getRaster().getSample(330, 40, 0)).as("wall").isLessThan(60);
    }

    @Test
    void notAnImageIsRefused() {
        assertThatThrownBy(() -> runner.run(new RunInput("t", JsonNodeFactory.instance.objectNode().put("image", "aGVsbG8="), null)))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'image'");
    }
}
