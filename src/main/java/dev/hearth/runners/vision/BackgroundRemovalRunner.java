package dev.hearth.runners.vision;

import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.image.InputImages;
import dev.hearth.runners.image.OutputImages;

import java.awt.image.BufferedImage;

/**
 * {@code background-removal}: {@code image} (required) in; a PNG of the same size out, with the people kept and
 * the background transparent (the segmentation's soft mask as the alpha channel), or with {@code mask: true} the
 * mask itself as a greyscale PNG (white = person).
 */
final class BackgroundRemovalRunner implements Runner {

    private final PersonSegmenter segmenter;
    private final long maxPixels;

    BackgroundRemovalRunner(PersonSegmenter segmenter, long maxPixels) {
        this.segmenter = segmenter;
        this.maxPixels = maxPixels;
    }

    @Override
    public RunOutput run(RunInput input) throws Exception {
        BufferedImage image = InputImages.read(input, "image", maxPixels, "send a smaller image");
        int[] mask = segmenter.mask(image);
        int w = image.getWidth(), h = image.getHeight();
        BufferedImage out;
        if (input.params().path("mask").asBoolean(false)) {
            out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            out.getRaster().setSamples(0, 0, w, h, 0, mask);
        } else {
            int[] argb = InputImages.argb(image);
            // An input that already has transparency keeps it where the person is: the less opaque of the two wins.
            for (int i = 0; i < argb.length; i++) argb[i] = Math.min(mask[i], argb[i] >>> 24) << 24 | (argb[i] & 0xffffff);
            out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
            out.setRGB(0, 0, w, h, argb, 0, w);
        }
        return new RunOutput.Media(OutputImages.encode(out, OutputImages.Format.PNG, 100), OutputImages.Format.PNG.contentType);
    }

    @Override
    public String toString() {
        return "selfie segmentation";
    }
}
