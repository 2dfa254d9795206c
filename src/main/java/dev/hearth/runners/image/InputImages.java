package dev.hearth.runners.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.runners.RunFailure;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads an image parameter that arrives inline: a {@code data:image/...;base64,} URL or bare base64 (SPEC §3.1).
 * The pixel count is checked from the header before anything is decoded, so a small file that claims a huge
 * canvas is refused cheaply. Every refusal is a {@link RunFailure} (422) naming the parameter.
 *
 * <p>URLs (http(s) and Hearth asset URLs) are resolved to bytes by the gateway's media-input step before a job
 * runs; until that step exists a URL is refused here with the inline forms to use instead.
 */
public final class InputImages {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private InputImages() {
    }

    /**
     * The image of a field: the media the gateway already fetched and checked when there is one, else the
     * parameter itself as a data: URL or base64 (a runner called directly, e.g. by {@code hearth worker}).
     */
    public static BufferedImage read(dev.hearth.runners.RunInput input, String field, long maxPixels, String whatToDo) throws RunFailure {
        dev.hearth.runners.MediaBlob blob = input.media().get(field);
        if (blob != null) return decode(blob.bytes(), field, maxPixels, whatToDo);
        return read(input.params(), field, maxPixels, whatToDo);
    }

    public static BufferedImage read(ObjectNode params, String field, long maxPixels) throws RunFailure {
        return read(params, field, maxPixels, "send a smaller image");
    }

    /** @param whatToDo the advice ending the message when the image has too many pixels */
    public static BufferedImage read(ObjectNode params, String field, long maxPixels, String whatToDo) throws RunFailure {
        JsonNode v = params.get(field);
        if (v == null || v.isNull()) throw new RunFailure("'" + field + "' is required: send the image as a data: URL or base64");
        if (!v.isTextual()) throw new RunFailure("'" + field + "' must be a string: a data: URL or base64");
        return decode(bytes(v.textValue(), field), field, maxPixels, whatToDo);
    }

    /** The bytes of a data: URL or bare base64 string. */
    public static byte[] bytes(String value, String field) throws RunFailure {
        String s = value.strip();
        String lower = s.substring(0, Math.min(16, s.length())).toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            throw new RunFailure("'" + field + "' is a URL, and this model reads inline images only for now: send the image as a "
                    + "data: URL (data:image/png;base64,...) or as base64");
        }
        if (lower.startsWith("data:")) {
            int comma = s.indexOf(',');
            if (comma < 0) throw new RunFailure("'" + field + "' is a data: URL without a comma before its data");
            String meta = s.substring(5, comma).toLowerCase(Locale.ROOT);
            if (!meta.endsWith(";base64")) throw new RunFailure("'" + field + "' is a data: URL that is not base64-encoded: use data:image/...;base64,...");
            if (!meta.startsWith("image/")) throw new RunFailure("'" + field + "' is a data: URL of type '" + meta.replace(";base64", "") + "', not an image");
            s = s.substring(comma + 1);
        }
        if (s.isEmpty()) throw new RunFailure("'" + field + "' is empty");
        try {
            // Strict alphabet (a stray character is an error, not silently skipped); line breaks and the URL-safe alphabet are accepted.
            String compact = WHITESPACE.matcher(s).replaceAll("").replace('-', '+').replace('_', '/');
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException e) {
            throw new RunFailure("'" + field + "' is not valid base64 (" + e.getMessage() + ")");
        }
    }

    public static BufferedImage decode(byte[] bytes, String field, long maxPixels, String whatToDo) throws RunFailure {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new RunFailure("'" + field + "' is not an image this model reads (PNG, JPEG, WebP, GIF or BMP)");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > maxPixels) {
                    throw new RunFailure("'" + field + "' is " + reader.getWidth(0) + "×" + reader.getHeight(0) + " pixels, more than this model's limit of "
                            + maxPixels + " pixels: " + whatToDo);
                }
                BufferedImage image = reader.read(0);
                if (image == null || image.getWidth() < 1 || image.getHeight() < 1) throw new RunFailure("'" + field + "' decodes to an empty image");
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new RunFailure("'" + field + "' could not be decoded as an image (truncated or corrupt?): " + e.getMessage());
        }
    }

    /** The image as 8-bit ARGB pixels, whatever its colour model (grey, palette, 16-bit...). */
    public static int[] argb(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
