package dev.hearth.storage;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Proves an image decodes before it is stored or handed to a model. The whole stream is decoded (that is how a
 * truncated PNG or JPEG shows), but into a subsampled raster of about a megapixel, so memory stays bounded
 * whatever the image's size; images over {@code maxPixels} are refused before decoding. Decoder warnings
 * (libjpeg's "premature end of data") count as damage.
 */
final class ImageCheck {

    private static final long PROBE_PIXELS = 1_000_000;

    private ImageCheck() {
    }

    /** The image's width and height, or {@link BadMedia} saying what is wrong with it. */
    static int[] verify(byte[] bytes, MediaType type, long maxPixels) throws BadMedia {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new BadMedia("is not a readable " + type.ext().toUpperCase() + " image");
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0) throw new BadMedia("is an image with no pixels (" + w + "×" + h + ")");
                long pixels = (long) w * h;
                if (pixels > maxPixels) {
                    throw new BadMedia("is " + w + "×" + h + " pixels, over the limit of " + maxPixels + " pixels", true);
                }
                ImageReadParam p = reader.getDefaultReadParam();
                int step = (int) Math.max(1, Math.ceil(Math.sqrt((double) pixels / PROBE_PIXELS)));
                if (step > 1) p.setSourceSubsampling(step, step, 0, 0);
                reader.read(0, p);
                if (!warnings.isEmpty()) throw new BadMedia("is a damaged or truncated " + type.ext().toUpperCase() + " image (" + warnings.getFirst() + ")");
                return new int[]{w, h};
            } finally {
                reader.dispose();
            }
        } catch (BadMedia e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new BadMedia("is a damaged or truncated " + type.ext().toUpperCase() + " image (" + why + ")");
        }
    }
}
