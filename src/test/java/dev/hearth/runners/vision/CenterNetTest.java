package dev.hearth.runners.vision;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CenterNet's post-processing on hand-written graph outputs (the network itself runs in ObjectDetectionTest): boxes
 * scaled from the 512² input back to the photo's pixels, clipped to it, filtered by score and label, best first,
 * and a box scored twice (same place, two labels) or found twice (same label, overlapping) kept once.
 */
class CenterNetTest {

    /** A graph stand-in answering fixed detection rows (x1, y1, x2, y2, score, class in 512² input pixels). */
    static TensorFlowNet answering(float[]... rows) {
        return new TensorFlowNet() {
            public String input() {
                return "tower_0/images";
            }

            public int[] inputShape() {
                return new int[]{1, 512, 512, 3};
            }

            public float[] run(float[] nhwc) {
                assertThat(nhwc).hasSize(512 * 512 * 3);
                float[] out = new float[rows.length * 6];
                for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, out, 6 * i, 6);
                return out;
            }

            public void close() {
            }
        };
    }

    static final BufferedImage PHOTO = new BufferedImage(1024, 256, BufferedImage.TYPE_INT_RGB);

    @Test
    void boxesAreScaledToThePhotoClippedAndSortedBestFirst() {
        CenterNet net = new CenterNet(answering(
                new float[]{0, 0, 256, 256, 0.4f, 16},        // dog: the photo's left half, top half
                new float[]{256, 256, 600, 600, 0.6f, 2},     // car: past the input's edge, clipped
                new float[]{10, 10, 20, 20, 0.1f, 0},         // person under the threshold
                new float[]{10, 10, 20, 20, 0.9f, Float.NaN}));// no class: ignored
        List<CenterNet.Detection> found = net.detect(PHOTO, 0.25, 20, Set.of());
        assertThat(found).extracting(CenterNet.Detection::label).containsExactly("car", "dog");
        CenterNet.Detection dog = found.get(1);
        assertThat(dog.x()).isZero();
        assertThat(dog.width()).isEqualTo(512.0);
        assertThat(dog.height()).isEqualTo(128.0);
        CenterNet.Detection car = found.get(0);
        assertThat(car.x() + car.width()).isEqualTo(1024.0);
        assertThat(car.y() + car.height()).isEqualTo(256.0);
    }

    @Test
    void aBoxScoredUnderTwoLabelsOrFoundTwiceIsKeptOnceButNeighboursStay() {
        CenterNet net = new CenterNet(answering(
                new float[]{100, 100, 300, 300, 0.5f, 2},     // car
                new float[]{100, 100, 300, 300, 0.3f, 7},     // truck, the very same box: a second guess
                new float[]{110, 105, 305, 300, 0.4f, 2},     // car again, overlapping the first by far more than 0.5
                new float[]{200, 100, 400, 300, 0.35f, 0}));  // a person beside the car, overlapping it by a third
        List<CenterNet.Detection> found = net.detect(PHOTO, 0.25, 20, Set.of());
        assertThat(found).extracting(CenterNet.Detection::label).containsExactly("car", "person");
    }

    @Test
    void theClassFilterAndTheLimitApply() {
        CenterNet net = new CenterNet(answering(
                new float[]{0, 0, 50, 50, 0.5f, 16}, new float[]{100, 0, 150, 50, 0.45f, 16}, new float[]{300, 0, 350, 50, 0.6f, 17}));
        assertThat(net.detect(PHOTO, 0.25, 20, Set.of("dog"))).extracting(CenterNet.Detection::label).containsExactly("dog", "dog");
        assertThat(net.detect(PHOTO, 0.25, 1, Set.of())).extracting(CenterNet.Detection::label).containsExactly("horse");
    }

    @Test
    void theLabelsAreCocosEightyInOrder() {
        assertThat(CenterNet.LABELS).hasSize(80).startsWith("person", "bicycle", "car").endsWith("toothbrush");
        assertThat(CenterNet.LABELS.get(16)).isEqualTo("dog");
        assertThat(CenterNet.LABELS.get(17)).isEqualTo("horse");
    }
}
