package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageOperationsTest {

    static final Operation RESIZE = Operations.builtIn().find("image_resize").orElseThrow();
    static final Operation CROP = Operations.builtIn().find("image_crop").orElseThrow();
    static final Operation CONVERT = Operations.builtIn().find("image_convert").orElseThrow();
    static final Operation COMPOSITE = Operations.builtIn().find("image_composite").orElseThrow();

    static final int RED = 0xFFFF0000, GREEN = 0xFF00FF00, BLUE = 0xFF0000FF;

    // ---- resize

    @Test
    void resizeToExactDimensionsKeepsWhereColoursAre() throws Exception {
        BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        fill(img, 0, 0, 20, 20, RED);
        fill(img, 20, 0, 20, 20, BLUE);
        Value.Media out = image(RESIZE.run(in("image", png(img)), Json.object().put("width", 10).put("height", 10)));
        assertThat(out.contentType()).isEqualTo("image/png");
        BufferedImage r = decode(out);
        assertThat(r.getWidth()).isEqualTo(10);
        assertThat(r.getHeight()).isEqualTo(10);
        assertClose(r.getRGB(1, 5), RED, 2);
        assertClose(r.getRGB(8, 5), BLUE, 2);
    }

    @Test
    void oneSideGivenKeepsTheAspectRatio() throws Exception {
        Value.Media src = png(new BufferedImage(400, 200, BufferedImage.TYPE_INT_RGB));
        assertThat(size(RESIZE.run(in("image", src), Json.object().put("width", 100)))).isEqualTo("100x50");
        assertThat(size(RESIZE.run(in("image", src), Json.object().put("height", 30)))).isEqualTo("60x30");
        assertThat(size(RESIZE.run(in("image", src), Json.object().put("width", 1000)))).isEqualTo("1000x500");
        assertThat(size(RESIZE.run(in("image", src), Json.object().put("width", 100).put("height", 100).put("fit", "inside")))).isEqualTo("100x50");
    }

    @Test
    void coverFillsTheBoxAndCropsTheOverflowEvenly() throws Exception {
        // green | red red | blue in quarters: covering a square keeps the middle half, all red
        BufferedImage img = new BufferedImage(400, 200, BufferedImage.TYPE_INT_RGB);
        fill(img, 0, 0, 100, 200, GREEN);
        fill(img, 100, 0, 200, 200, RED);
        fill(img, 300, 0, 100, 200, BLUE);
        BufferedImage r = decode(image(RESIZE.run(in("image", png(img)), Json.object().put("width", 100).put("height", 100).put("fit", "cover"))));
        assertThat(r.getWidth() + "x" + r.getHeight()).isEqualTo("100x100");
        for (int[] p : new int[][]{{2, 2}, {97, 2}, {2, 97}, {97, 97}, {50, 50}}) assertClose(r.getRGB(p[0], p[1]), RED, 2);
    }

    @Test
    void downscalingAveragesRatherThanAliases() throws Exception {
        // a checkerboard of 4-pixel squares is mid grey from afar; one bicubic step from 1000 to 10 reads only the
        // 4×4 pixels around each sample point, all inside one square, so it would come out black or white
        BufferedImage img = new BufferedImage(1000, 1000, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 1000; y++) for (int x = 0; x < 1000; x++) img.setRGB(x, y, (x / 4 + y / 4) % 2 == 0 ? 0xFFFFFFFF : 0xFF000000);
        BufferedImage r = decode(image(RESIZE.run(in("image", png(img)), Json.object().put("width", 10))));
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 10; x++) {
                int g = r.getRGB(x, y) & 0xFF;
                assertThat(g).as("pixel %d,%d", x, y).isBetween(110, 145);
            }
        }
    }

    @Test
    void transparentPixelsDoNotBleedTheirHiddenColour() throws Exception {
        BufferedImage img = new BufferedImage(6, 6, BufferedImage.TYPE_INT_ARGB);
        fill(img, 0, 0, 3, 6, 0x00FF0000); // invisible red
        fill(img, 3, 0, 3, 6, BLUE);
        BufferedImage r = decode(image(RESIZE.run(in("image", png(img)), Json.object().put("width", 3))));
        int middle = r.getRGB(1, 1);
        assertThat(middle >>> 24).as("alpha of the edge pixel").isBetween(100, 155);
        assertThat((middle >> 16) & 0xFF).as("red of the edge pixel").isLessThan(10);
        assertThat(middle & 0xFF).as("blue of the edge pixel").isGreaterThan(245);
        assertThat(r.getRGB(0, 1) >>> 24).isLessThan(10);
    }

    // ---- crop

    @Test
    void cropIsPixelExact() throws Exception {
        BufferedImage img = new BufferedImage(50, 40, BufferedImage.TYPE_INT_ARGB);
        Random random = new Random(7);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 50; x++) img.setRGB(x, y, random.nextInt());
        BufferedImage r = decode(image(CROP.run(in("image", png(img)), Json.object().put("x", 7).put("y", 5).put("width", 20).put("height", 13))));
        assertThat(r.getWidth() + "x" + r.getHeight()).isEqualTo("20x13");
        for (int y = 0; y < 13; y++) {
            for (int x = 0; x < 20; x++) assertThat(r.getRGB(x, y)).as("pixel %d,%d", x, y).isEqualTo(img.getRGB(x + 7, y + 5));
        }
        // up to the edges is inside
        BufferedImage corner = decode(image(CROP.run(in("image", png(img)), Json.object().put("x", 49).put("y", 39).put("width", 1).put("height", 1))));
        assertThat(corner.getRGB(0, 0)).isEqualTo(img.getRGB(49, 39));
        BufferedImage whole = decode(image(CROP.run(in("image", png(img)), Json.object().put("width", 50).put("height", 40))));
        assertThat(whole.getRGB(0, 0)).isEqualTo(img.getRGB(0, 0));
    }

    @Test
    void aGreyImageKeepsItsGreyLevels() throws Exception {
        // Java's grey colour space is linear: reading grey pixels through getRGB would lighten them (32 → 99)
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 16; i++) grey.getRaster().setSample(i % 4, i / 4, 0, i * 16);
        BufferedImage r = decode(image(CROP.run(in("image", png(grey)), Json.object().put("x", 1).put("width", 3).put("height", 4))));
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 3; x++) assertThat(r.getRGB(x, y) & 0xFF).as("pixel %d,%d", x, y).isEqualTo((y * 4 + x + 1) * 16);
        }
    }

    @Test
    void aCropReachingOutsideTheImageFails() {
        Value.Media src = png(new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB));
        assertThatThrownBy(() -> CROP.run(in("image", src), Json.object().put("x", 40).put("width", 11).put("height", 10)))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("reaches outside the 50×40 image");
        assertThatThrownBy(() -> CROP.run(in("image", src), Json.object().put("y", 1).put("width", 10).put("height", 40)))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> CROP.run(in("image", src), Json.object().put("x", -1).put("width", 10).put("height", 10)))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("$.x");
    }

    // ---- convert

    @Test
    void convertsToJpegAndWebpAndBack() throws Exception {
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        fill(img, 0, 0, 32, 48, RED);
        fill(img, 32, 0, 32, 48, BLUE);

        Value.Media jpeg = image(CONVERT.run(in("image", png(img)), Json.object().put("format", "jpeg").put("quality", 95)));
        assertThat(jpeg.contentType()).isEqualTo("image/jpeg");
        assertThat(jpeg.bytes()[0] & 0xFF).isEqualTo(0xFF);
        assertThat(jpeg.bytes()[1] & 0xFF).isEqualTo(0xD8);
        BufferedImage j = decode(jpeg);
        assertThat(j.getWidth() + "x" + j.getHeight()).isEqualTo("64x48");
        assertClose(j.getRGB(8, 24), RED, 12);
        assertClose(j.getRGB(56, 24), BLUE, 12);

        Value.Media webp = image(CONVERT.run(in("image", png(img)), Json.object().put("format", "webp")));
        assertThat(webp.contentType()).isEqualTo("image/webp");
        assertThat(new String(webp.bytes(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");
        assertThat(new String(webp.bytes(), 8, 4, StandardCharsets.US_ASCII)).isEqualTo("WEBP");
        BufferedImage w = decode(webp);
        assertThat(w.getWidth() + "x" + w.getHeight()).isEqualTo("64x48");
        assertClose(w.getRGB(8, 24), RED, 20);
        assertClose(w.getRGB(56, 24), BLUE, 20);

        // WebP in, PNG out: lossless from what the WebP decodes to
        Value.Media back = image(CONVERT.run(in("image", webp), Json.object().put("format", "png")));
        assertThat(back.contentType()).isEqualTo("image/png");
        BufferedImage p = decode(back);
        assertThat(p.getWidth() + "x" + p.getHeight()).isEqualTo("64x48");
        for (int[] px : new int[][]{{0, 0}, {31, 10}, {32, 10}, {63, 47}}) assertThat(p.getRGB(px[0], px[1])).isEqualTo(w.getRGB(px[0], px[1]));
    }

    @Test
    void aTransparentImageBecomesJpegOnWhite() throws Exception {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_ARGB);
        fill(img, 8, 0, 8, 16, RED);
        BufferedImage j = decode(image(CONVERT.run(in("image", png(img)), Json.object().put("format", "jpeg").put("quality", 100))));
        assertClose(j.getRGB(2, 8), 0xFFFFFFFF, 8);
        assertClose(j.getRGB(13, 8), RED, 12);
    }

    @Test
    void anUnknownFormatIsRefusedBySchema() {
        Value.Media src = png(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB));
        assertThatThrownBy(() -> CONVERT.run(in("image", src), Json.object().put("format", "gif")))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("$.format");
    }

    // ---- composite

    @Test
    void compositeBlendsWithTheOverlaysAlphaTimesOpacity() throws Exception {
        BufferedImage base = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        fill(base, 0, 0, 4, 4, RED);
        fill(base, 3, 0, 1, 4, 0x00000000); // transparent right column
        BufferedImage overlay = new BufferedImage(3, 3, BufferedImage.TYPE_INT_ARGB);
        fill(overlay, 0, 0, 3, 3, 0x800000FF); // blue, alpha 128

        BufferedImage r = decode(image(COMPOSITE.run(Map.of("base", png(base), "overlay", png(overlay)), Json.object().put("x", 1).put("y", 1))));
        assertThat(r.getWidth() + "x" + r.getHeight()).isEqualTo("4x4");
        assertThat(r.getRGB(0, 0)).isEqualTo(RED);          // outside the overlay: untouched
        assertThat(r.getRGB(2, 0)).isEqualTo(RED);
        // over opaque red: blue·128/255 + red·(1 − 128/255)
        assertClose(r.getRGB(1, 1), argb(255, 127, 0, 128), 1);
        assertClose(r.getRGB(2, 2), argb(255, 127, 0, 128), 1);
        // over a transparent pixel: the overlay pixel itself
        assertClose(r.getRGB(3, 3), argb(128, 0, 0, 255), 1);
        assertThat(r.getRGB(3, 0) >>> 24).isZero();

        // opacity 0.5 halves the overlay's alpha to 64
        BufferedImage half = decode(image(COMPOSITE.run(Map.of("base", png(base), "overlay", png(overlay)),
                Json.object().put("x", 1).put("y", 1).put("opacity", 0.5))));
        assertClose(half.getRGB(1, 1), argb(255, 191, 0, 64), 2);
    }

    @Test
    void anOverlayHangingOffTheTopLeftIsClipped() throws Exception {
        BufferedImage base = new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB);
        fill(base, 0, 0, 3, 3, RED);
        BufferedImage overlay = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        fill(overlay, 0, 0, 2, 2, GREEN);
        BufferedImage r = decode(image(COMPOSITE.run(Map.of("base", png(base), "overlay", png(overlay)), Json.object().put("x", -1).put("y", -1))));
        assertThat(r.getRGB(0, 0)).isEqualTo(GREEN);
        assertThat(r.getRGB(1, 0)).isEqualTo(RED);
        assertThat(r.getRGB(0, 1)).isEqualTo(RED);
        assertThat(r.getWidth() + "x" + r.getHeight()).isEqualTo("3x3");
    }

    // ---- refusals

    @Test
    void oversizedImagesAreRefusedBeforeDecodingAndResultsBeforeMaking() {
        long cap = 10_000;
        Value.Media big = png(new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB));
        for (Operation op : new Operation[]{new ImageResize(cap), new ImageCrop(cap), new ImageConvert(cap)}) {
            ObjectNode params = OperationsTest.good(op.name());
            assertThatThrownBy(() -> op.run(in("image", big), params)).as(op.name()).isInstanceOf(OperationFailure.class)
                    .hasMessageContaining("input 'image' is 200×100 pixels, more than the limit of 10000 pixels");
        }
        Value.Media small = png(new BufferedImage(50, 50, BufferedImage.TYPE_INT_RGB));
        assertThatThrownBy(() -> new ImageComposite(cap).run(Map.of("base", small, "overlay", big), Json.object()))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("input 'overlay' is 200×100");
        assertThatThrownBy(() -> new ImageResize(cap).run(in("image", small), Json.object().put("width", 200).put("height", 200)))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("the resized image is 200×200 pixels");
        // a header claiming a huge canvas over a few bytes: refused from the header alone
        assertThatThrownBy(() -> RESIZE.run(in("image", new Value.Media(PortType.IMAGE, pngHeader(60_000, 60_000), "image/png")), Json.object().put("width", 10)))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("60000×60000 pixels");
    }

    @Test
    void bytesThatAreNotAnImageFail() {
        Value.Media junk = new Value.Media(PortType.IMAGE, "not an image".getBytes(StandardCharsets.UTF_8), "image/png");
        assertThatThrownBy(() -> RESIZE.run(in("image", junk), Json.object().put("width", 10)))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("not an image these operations read");
        assertThatThrownBy(() -> RESIZE.run(Map.of(), Json.object().put("width", 10)))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("'image' is required");
        assertThatThrownBy(() -> RESIZE.run(in("image", png(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB))), Json.object()))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("Invalid parameters");
    }

    // ---- helpers

    static Map<String, Value> in(String port, Value v) {
        return Map.of(port, v);
    }

    static Value.Media image(Map<String, Value> result) {
        return (Value.Media) result.get("image");
    }

    static String size(Map<String, Value> result) throws IOException {
        BufferedImage r = decode(image(result));
        return r.getWidth() + "x" + r.getHeight();
    }

    static Value.Media png(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return new Value.Media(PortType.IMAGE, out.toByteArray(), "image/png");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static BufferedImage decode(Value.Media m) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(m.bytes()));
        assertThat(img).as("decodable " + m.contentType()).isNotNull();
        return img;
    }

    /** The signature and IHDR chunk of a PNG claiming width×height, and nothing after. */
    static byte[] pngHeader(int width, int height) {
        byte[] b = Arrays.copyOf(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'}, 33);
        putInt(b, 16, width);
        putInt(b, 20, height);
        b[24] = 8; // bit depth
        b[25] = 2; // RGB
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b, 12, 17);
        putInt(b, 29, (int) crc.getValue());
        return b;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void fill(BufferedImage img, int x0, int y0, int w, int h, int argb) {
        for (int y = y0; y < y0 + h; y++) for (int x = x0; x < x0 + w; x++) img.setRGB(x, y, argb);
    }

    static int argb(int a, int r, int g, int b) {
        return a << 24 | r << 16 | g << 8 | b;
    }

    static void assertClose(int actual, int expected, int tolerance) {
        for (int shift = 0; shift <= 24; shift += 8) {
            int a = (actual >>> shift) & 0xFF;
            int e = (expected >>> shift) & 0xFF;
            assertThat(Math.abs(a - e)).as("channel at bit %d of %08x, expected %08x", shift, actual, expected).isLessThanOrEqualTo(tolerance);
        }
    }
}
