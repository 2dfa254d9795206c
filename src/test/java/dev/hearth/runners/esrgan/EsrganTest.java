package dev.hearth.runners.esrgan;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real {@code @upscalerjs/esrgan-slim@1.0.0} networks, fetched from npm through the artifact cache, checked
 * against the package's own sample pair (assets/fixture.png and assets/samples/Nx/result.png, made by UpscalerJS
 * in TensorFlow.js), and the runner's formats and refusals.
 */
class EsrganTest {

    static final String PACKAGE = "npm:@upscalerjs/esrgan-slim@1.0.0!/";
    static Runner runner;

    @BeforeAll
    static void boot() throws Exception {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        for (int s : EsrganRunnerFactory.SCALES) params.put("x" + s, PACKAGE + "models/x" + s + "/model.json");
        params.put("threads", 2).put("max_output_pixels", 1024 * 1024);
        TestArtifacts.resolve(PACKAGE + "models/x4/model.json");
        RunnerSpec spec = ResolvingRunnerFactory.resolve(TestArtifacts.cache(), new RunnerSpec("esrgan", params), s -> { });
        runner = new EsrganRunnerFactory().boot(spec, s -> { });
    }

    @AfterAll
    static void close() throws Exception {
        if (runner != null) runner.close();
    }

    static BufferedImage sample(String path) throws IOException {
        return ImageIO.read(TestArtifacts.resolve(PACKAGE + path).toFile());
    }

    static Tensor rgb(BufferedImage img) {
        Tensor t = new Tensor(img.getHeight(), img.getWidth(), 3);
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int o = (y * img.getWidth() + x) * 3;
                t.data[o] = (p >> 16) & 0xff;
                t.data[o + 1] = (p >> 8) & 0xff;
                t.data[o + 2] = p & 0xff;
            }
        return t;
    }

    /** Peak signal-to-noise ratio over the RGB channels of two images of the same size. */
    static double psnr(BufferedImage a, BufferedImage b) {
        assertThat(a.getWidth()).isEqualTo(b.getWidth());
        assertThat(a.getHeight()).isEqualTo(b.getHeight());
        double se = 0;
        for (int y = 0; y < a.getHeight(); y++)
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y), q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = ((p >> shift) & 0xff) - ((q >> shift) & 0xff);
                    se += d * d;
                }
            }
        double mse = se / (3.0 * a.getWidth() * a.getHeight());
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    static BufferedImage call(ObjectNode params, String expectedType) throws Exception {
        RunOutput out = runner.run(new RunInput("test", params, null));
        assertThat(out).isInstanceOf(RunOutput.Media.class);
        RunOutput.Media media = (RunOutput.Media) out;
        assertThat(media.contentType()).isEqualTo(expectedType);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(media.bytes()));
        assertThat(img).as("the %s output decodes", expectedType).isNotNull();
        return img;
    }

    static String dataUrl(BufferedImage img) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    @ParameterizedTest
    @CsvSource({"2, 256", "3, 384", "4, 512"})
    void matchesThePackagesOwnSample(int scale, int size) throws Exception {
        BufferedImage fixture = sample("assets/fixture.png");
        BufferedImage expected = sample("assets/samples/" + scale + "x/result.png");
        assertThat(fixture.getWidth()).isEqualTo(128);

        BufferedImage out = call(JsonNodeFactory.instance.objectNode().put("image", dataUrl(fixture)).put("scale", scale).put("output_format", "png"), "image/png");

        assertThat(out.getWidth()).isEqualTo(size);
        assertThat(out.getHeight()).isEqualTo(size);
        double psnr = psnr(out, expected);
        System.out.printf("x%d against the package's sample: PSNR %.1f dB%n", scale, psnr);
        assertThat(psnr).isGreaterThan(40);
    }

    @Test
    void tilingGivesTheSameResultAsOnePass() throws Exception {
        LayersModel model = LayersModel.load(TestArtifacts.resolve(PACKAGE + "models/x4/model.json"));
        Tensor fixture = rgb(sample("assets/fixture.png"));
        try (RowPool pool = new RowPool(2)) {
            int[] whole = new int[512 * 512];
            int[] tiled = new int[512 * 512];
            new Upscaler(model, 512).upscale(fixture, whole, pool);
            new Upscaler(model, 48).upscale(fixture, tiled, pool);
            // each kept pixel is computed from exactly the same inputs in the same order: identical, not just close
            assertThat(tiled).isEqualTo(whole);
            // and the comparison can fail: a margin narrower than the network's reach changes the seams
            int[] narrow = new int[512 * 512];
            new Upscaler(model, 48, 2).upscale(fixture, narrow, pool);
            assertThat(narrow).isNotEqualTo(whole);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "webp"})
    void everyOutputFormatDecodes(String format) throws Exception {
        BufferedImage small = sample("assets/fixture.png").getSubimage(0, 0, 40, 30);
        BufferedImage out = call(JsonNodeFactory.instance.objectNode().put("image", dataUrl(small)).put("scale", "2")
                .put("output_format", format).put("quality", 90), format.equals("jpeg") ? "image/jpeg" : "image/" + format);
        assertThat(out.getWidth()).isEqualTo(80);
        assertThat(out.getHeight()).isEqualTo(60);
    }

    @Test
    void x8AndBareBase64Work() throws Exception {
        BufferedImage small = sample("assets/fixture.png").getSubimage(50, 50, 16, 12);
        String bare = dataUrl(small).substring("data:image/png;base64,".length());
        BufferedImage out = call(JsonNodeFactory.instance.objectNode().put("image", bare).put("scale", 8).put("output_format", "png"), "image/png");
        assertThat(out.getWidth()).isEqualTo(128);
        assertThat(out.getHeight()).isEqualTo(96);
    }

    @Test
    void transparencySurvivesInPng() throws Exception {
        BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 20; y++) for (int x = 0; x < 20; x++) img.setRGB(x, y, x < 10 ? 0x00000000 : 0xff3366cc);
        BufferedImage out = call(JsonNodeFactory.instance.objectNode().put("image", dataUrl(img)).put("scale", 2).put("output_format", "png"), "image/png");
        assertThat(out.getColorModel().hasAlpha()).isTrue();
        assertThat(out.getRGB(2, 20) >>> 24).isZero();
        assertThat(out.getRGB(37, 20) >>> 24).isEqualTo(255);
    }

    @Test
    void badInputsAreRefusedNamingTheImage() throws Exception {
        byte[] png = Base64.getDecoder().decode(dataUrl(sample("assets/fixture.png")).substring(22));
        String truncated = Base64.getEncoder().encodeToString(Arrays.copyOf(png, png.length / 2));
        assertThatThrownBy(() -> call(JsonNodeFactory.instance.objectNode().put("image", truncated), "image/jpeg"))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'image' could not be decoded");
        assertThatThrownBy(() -> call(JsonNodeFactory.instance.objectNode().put("image", "not*base64!"), "image/jpeg"))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'image' is not valid base64");
        assertThatThrownBy(() -> call(JsonNodeFactory.instance.objectNode().put("image", "data:text/plain;base64,aGVsbG8="), "image/jpeg"))
                .isInstanceOf(RunFailure.class).hasMessageContaining("not an image");
        assertThatThrownBy(() -> call(JsonNodeFactory.instance.objectNode().put("image", Base64.getEncoder().encodeToString("hello".getBytes())), "image/jpeg"))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'image' is not an image this model reads");
        // 128×128 at x8 is 1024×1024 output: at the limit of this test's runner; 129 wide is over it
        BufferedImage wide = new BufferedImage(129, 128, BufferedImage.TYPE_INT_RGB);
        assertThatThrownBy(() -> call(JsonNodeFactory.instance.objectNode().put("image", dataUrl(wide)).put("scale", 8), "image/jpeg"))
                .isInstanceOf(RunFailure.class).hasMessageContaining("129×128 pixels, more than this model's limit");
        assertThatThrownBy(() -> call(JsonNodeFactory.instance.objectNode().put("image", "https://example.org/a.png"), "image/jpeg"))
                .isInstanceOf(RunFailure.class).hasMessageContaining("data: URL");
    }

    @Test
    void modelFilesComeFromTheNpmTarball() {
        Path model = TestArtifacts.resolve(PACKAGE + "models/x4/model.json");
        assertThat(model.resolveSibling("group1-shard1of1.bin")).exists();
        assertThat(Files.isRegularFile(model)).isTrue();
    }
}
