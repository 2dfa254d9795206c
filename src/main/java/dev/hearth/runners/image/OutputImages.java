package dev.hearth.runners.image;

import dev.hearth.runners.RunFailure;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;

/**
 * Encodes a model's output image as PNG, JPEG or WebP. PNG and JPEG come with the JDK; WebP comes from the
 * {@code com.github.usefulness:webp-imageio} ImageIO plugin (libwebp, natives for Linux/macOS/Windows inside
 * the jar), since the JDK has no WebP encoder. {@code quality} (1–100) applies to JPEG and lossy WebP.
 */
public final class OutputImages {

    private OutputImages() {
    }

    public enum Format {
        PNG("png", "image/png"), JPEG("jpeg", "image/jpeg"), WEBP("webp", "image/webp");

        public final String name;
        public final String contentType;

        Format(String name, String contentType) {
            this.name = name;
            this.contentType = contentType;
        }

        public static Format parse(String value) throws RunFailure {
            String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "png" -> PNG;
                case "jpeg", "jpg" -> JPEG;
                case "webp" -> WEBP;
                default -> throw new RunFailure("'output_format' must be jpeg, png or webp, not '" + value + "'");
            };
        }
    }

    public static byte[] encode(BufferedImage image, Format format, int quality) throws RunFailure, IOException {
        BufferedImage toWrite = image;
        if (format == Format.JPEG && image.getColorModel().hasAlpha()) {
            // JPEG has no alpha channel: drop it (the JDK's writer would otherwise refuse or mis-colour the image).
            toWrite = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
            int[] rgb = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
            toWrite.setRGB(0, 0, image.getWidth(), image.getHeight(), rgb, 0, image.getWidth());
        }
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByMIMEType(format.contentType);
        if (!writers.hasNext()) {
            throw new RunFailure("this Hearth cannot write " + format.name + " images (no encoder available on this platform): choose png or jpeg");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (format != Format.PNG && param.canWriteCompressed()) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                String[] types = param.getCompressionTypes();
                if (format == Format.WEBP && types != null) {
                    for (String t : types) if (t.equalsIgnoreCase("Lossy")) param.setCompressionType(t);
                }
                param.setCompressionQuality(Math.clamp(quality, 1, 100) / 100f);
            }
            writer.write(null, new IIOImage(toWrite, null, null), param);
        } catch (UnsatisfiedLinkError e) {
            throw new RunFailure("the " + format.name + " encoder could not load its native library on this machine (" + e.getMessage() + "): choose png or jpeg");
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
