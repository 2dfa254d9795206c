package dev.hearth.workflows.operations;

import dev.hearth.runners.RunFailure;
import dev.hearth.runners.image.OutputImages;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Image values in and out of the image operations. Decoding checks the pixel count from the image's header
 * before decoding it, so a small file that claims a huge canvas is refused cheaply (every operation holds its
 * images in memory as 4 bytes a pixel). PNG, JPEG, WebP (webp-imageio), GIF and BMP are read; results are
 * written as PNG (lossless, keeps alpha) unless the operation is {@code image_convert}.
 */
final class ImageValues {

    /** 4096²: the largest result of the esrgan upscaler, 64 MiB as ARGB. */
    static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;

    private ImageValues() {
    }

    static BufferedImage decode(Value value, String port, long maxPixels) throws OperationFailure {
        if (!(value instanceof Value.Media m) || m.type() != PortType.IMAGE) {
            throw new OperationFailure("input '" + port + "' is not an image");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(m.bytes()))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new OperationFailure("input '" + port + "' (" + m.contentType() + ") is not an image these operations read: PNG, JPEG, WebP, GIF or BMP");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                checkSize(reader.getWidth(0), reader.getHeight(0), maxPixels, "input '" + port + "'");
                BufferedImage image = reader.read(0);
                if (image == null || image.getWidth() < 1 || image.getHeight() < 1) throw new OperationFailure("input '" + port + "' decodes to an empty image");
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new OperationFailure("input '" + port + "' could not be decoded as an image (truncated or corrupt?): " + e.getMessage(), e);
        }
    }

    /** Refuses an image (read or about to be made) of more than {@code maxPixels} pixels. */
    static void checkSize(long width, long height, long maxPixels, String what) throws OperationFailure {
        if (width * height > maxPixels) {
            throw new OperationFailure(what + " is " + width + "×" + height + " pixels, more than the limit of " + maxPixels
                    + " pixels for workflow image operations");
        }
    }

    static Value.Media png(BufferedImage image) throws OperationFailure {
        return encode(image, OutputImages.Format.PNG, 100);
    }

    static Value.Media encode(BufferedImage image, OutputImages.Format format, int quality) throws OperationFailure {
        try {
            return new Value.Media(PortType.IMAGE, OutputImages.encode(image, format, quality), format.contentType);
        } catch (RunFailure e) {
            throw new OperationFailure(e.getMessage(), e);
        } catch (IOException e) {
            throw new OperationFailure("the image could not be encoded as " + format.name + ": " + e.getMessage(), e);
        }
    }

    /** Whether the image has an alpha channel worth keeping. */
    static boolean hasAlpha(BufferedImage image) {
        return image.getColorModel().hasAlpha();
    }

    /** A copy of the image in the given {@link BufferedImage} type, at its size. */
    static BufferedImage copy(BufferedImage src, int type) {
        return draw(src, src.getWidth(), src.getHeight(), type, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
    }

    /** The image drawn into a new one of {@code width}×{@code height} and {@code type} with the given interpolation. */
    static BufferedImage draw(BufferedImage src, int width, int height, int type, Object interpolation) {
        BufferedImage out = new BufferedImage(width, height, type);
        Graphics2D g = out.createGraphics();
        try {
            g.setComposite(java.awt.AlphaComposite.Src);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(src, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
