package dev.hearth.runners.vision;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * MediaPipe's selfie segmentation ({@code @mediapipe/selfie_segmentation}, 256×256, RGB in 0–1): how likely each
 * pixel belongs to a person, as a soft mask at the image's own size. The image is stretched to the network's square
 * (as MediaPipe does) and the 256×256 mask stretched back with bilinear interpolation, which keeps edges soft.
 */
public final class PersonSegmenter {

    static final int SIZE = 256;

    private final VisionNet net;

    public PersonSegmenter(VisionNet net) {
        this.net = net;
    }

    /** Per pixel of {@code image}, row by row: 0 (background) to 255 (person). */
    public int[] mask(BufferedImage image) {
        BufferedImage small = resized(image, SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Map<String, float[]> out = net.forward(BlazeFace.nchw(small, 1 / 255f, 0f), 3, SIZE, SIZE);
        float[] probabilities = out.values().iterator().next();
        if (probabilities.length != SIZE * SIZE) throw new IllegalStateException("unexpected segmentation output of " + probabilities.length + " values");
        BufferedImage mask = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        int[] levels = new int[probabilities.length];
        for (int i = 0; i < levels.length; i++) levels[i] = Math.round(Math.clamp(probabilities[i], 0f, 1f) * 255);
        mask.getRaster().setSamples(0, 0, SIZE, SIZE, 0, levels);
        BufferedImage full = resized(mask, image.getWidth(), image.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        return full.getRaster().getSamples(0, 0, image.getWidth(), image.getHeight(), 0, (int[]) null);
    }

    static BufferedImage resized(BufferedImage source, int width, int height, int type) {
        BufferedImage out = new BufferedImage(width, height, type);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(source, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
