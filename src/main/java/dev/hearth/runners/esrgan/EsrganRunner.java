package dev.hearth.runners.esrgan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.image.InputImages;
import dev.hearth.runners.image.OutputImages;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Locale;
import java.util.Map;

/**
 * Segmind's {@code esrgan}: {@code image} (required), {@code scale} (2, 3, 4 or 8; numbers or their strings, as
 * Segmind's own examples send), {@code output_format} (jpeg, png, webp) and {@code quality}. The network sees the
 * RGB channels; a transparent image keeps its alpha, resized smoothly, in PNG and WebP outputs.
 */
final class EsrganRunner implements Runner {

    private final Map<Integer, Upscaler> upscalers;
    private final RowPool pool;
    private final long maxOutputPixels;

    EsrganRunner(Map<Integer, Upscaler> upscalers, RowPool pool, long maxOutputPixels) {
        this.upscalers = upscalers;
        this.pool = pool;
        this.maxOutputPixels = maxOutputPixels;
    }

    @Override
    public RunOutput run(RunInput input) throws Exception {
        ObjectNode params = input.params();
        int scale = scale(params.get("scale"));
        Upscaler upscaler = upscalers.get(scale);
        if (upscaler == null) throw new RunFailure("'scale' " + scale + " is not offered by this model; choose one of " + upscalers.keySet());
        OutputImages.Format format = OutputImages.Format.parse(params.path("output_format").asText("jpeg"));
        int quality = params.path("quality").asInt(95);
        if (quality < 1 || quality > 100) throw new RunFailure("'quality' must be between 10 and 100");

        BufferedImage image = InputImages.read(input, "image", maxOutputPixels / ((long) scale * scale),
                "at scale " + scale + " the result may have at most " + maxOutputPixels + " pixels; send a smaller image or choose a lower scale");
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = InputImages.argb(image);
        Tensor rgb = new Tensor(h, w, 3);
        boolean transparent = false;
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            rgb.data[i * 3] = (p >> 16) & 0xff;
            rgb.data[i * 3 + 1] = (p >> 8) & 0xff;
            rgb.data[i * 3 + 2] = p & 0xff;
            transparent |= (p >>> 24) != 0xff;
        }
        int outW = w * scale;
        int outH = h * scale;
        boolean keepAlpha = transparent && format != OutputImages.Format.JPEG;
        BufferedImage result = new BufferedImage(outW, outH, keepAlpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        // The network writes straight into the image's pixels: the only full-size copy of the result.
        int[] pixels = ((DataBufferInt) result.getRaster().getDataBuffer()).getData();
        upscaler.upscale(rgb, pixels, pool);
        if (keepAlpha) {
            int[] alpha = alpha(argb, w, h, outW, outH);
            for (int i = 0; i < pixels.length; i++) pixels[i] = alpha[i] << 24 | (pixels[i] & 0xffffff);
        }
        return new RunOutput.Media(OutputImages.encode(result, format, quality), format.contentType);
    }

    /** Scale arrives as 4 or "4" (Segmind's examples send strings); the schema has already limited the values. */
    static int scale(JsonNode v) throws RunFailure {
        if (v == null || v.isNull()) return 2;
        String s = v.asText().trim();
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new RunFailure("'scale' must be 2, 3, 4 or 8, not '" + s + "'");
        }
    }

    /** The source alpha channel resized to the output with bilinear interpolation. */
    private static int[] alpha(int[] argb, int srcW, int srcH, int width, int height) {
        int[] a = new int[argb.length];
        for (int i = 0; i < a.length; i++) a[i] = argb[i] >>> 24;
        BufferedImage small = new BufferedImage(srcW, srcH, BufferedImage.TYPE_BYTE_GRAY);
        small.getRaster().setSamples(0, 0, srcW, srcH, 0, a);
        BufferedImage big = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = big.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(small, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return big.getRaster().getSamples(0, 0, width, height, 0, (int[]) null);
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "esrgan %s", upscalers.keySet());
    }
}
