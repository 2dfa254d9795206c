package dev.hearth.runners.vision;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * MediaPipe's BlazeFace face detector: letterboxes the image into the network's square input, runs it, and decodes
 * the SSD anchors into faces with six landmarks, merged by MediaPipe's weighted non-maximum suppression. Two
 * variants from {@code @mediapipe/face_detection}: short range (128², faces within about 2 m, selfies) and full
 * range (192², faces up to about 5 m, group photos). Anchors and decoding follow MediaPipe's
 * {@code face_detection_*_range.pbtxt} graphs.
 */
public final class BlazeFace {

    /** The six landmarks, in the network's order; "right" is the person's right (the image's left when facing it). */
    public static final List<String> LANDMARKS = List.of("right_eye", "left_eye", "nose_tip", "mouth_center", "right_ear", "left_ear");

    /**
     * A network variant: its input side and its anchor layout, as {stride, anchors per cell} pairs (MediaPipe
     * merges consecutive SSD layers of one stride into one grid with their anchors side by side).
     */
    public enum Variant {
        SHORT(128, new int[][]{{8, 2}, {16, 6}}), FULL(192, new int[][]{{4, 1}});

        final int size;
        final float[][] anchors;

        Variant(int size, int[][] layout) {
            this.size = size;
            List<float[]> a = new ArrayList<>();
            for (int[] layer : layout) {
                int cells = (size + layer[0] - 1) / layer[0];
                for (int y = 0; y < cells; y++)
                    for (int x = 0; x < cells; x++)
                        for (int k = 0; k < layer[1]; k++) a.add(new float[]{(x + 0.5f) / cells, (y + 0.5f) / cells});
            }
            this.anchors = a.toArray(float[][]::new);
        }
    }

    /** A face in pixels of the original image: box corner and size, score 0–1, landmarks as x,y pairs. */
    public record Face(double x, double y, double width, double height, double score, double[] landmarks) {
    }

    private static final int COORDS = 16;
    private static final double MIN_SUPPRESSION_IOU = 0.3;

    private final VisionNet net;
    private final Variant variant;

    public BlazeFace(VisionNet net, Variant variant) {
        this.net = net;
        this.variant = variant;
    }

    public List<Face> detect(BufferedImage image, double minScore) {
        int s = variant.size;
        int side = Math.max(image.getWidth(), image.getHeight());
        // Letterbox: the image centred on a square of its longer side, as MediaPipe's FIT scale mode does.
        double padX = (side - image.getWidth()) / 2.0;
        double padY = (side - image.getHeight()) / 2.0;
        BufferedImage square = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = square.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            double k = (double) s / side;
            g.drawImage(image, (int) Math.round(padX * k), (int) Math.round(padY * k),
                    (int) Math.round(image.getWidth() * k), (int) Math.round(image.getHeight() * k), null);
        } finally {
            g.dispose();
        }
        Map<String, float[]> out = net.forward(nchw(square, 1 / 127.5f, -1f), 3, s, s);
        float[] scores = null, boxes = null;
        for (float[] o : out.values()) {
            if (o.length == variant.anchors.length) scores = o;
            else if (o.length == variant.anchors.length * COORDS) boxes = o;
        }
        if (scores == null || boxes == null) throw new IllegalStateException("unexpected BlazeFace outputs: " + out.keySet());

        List<Face> candidates = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            double score = 1 / (1 + Math.exp(-Math.clamp(scores[i], -100f, 100f)));
            if (score < minScore) continue;
            float[] a = variant.anchors[i];
            int o = i * COORDS;
            double cx = boxes[o] / s + a[0], cy = boxes[o + 1] / s + a[1];
            double w = boxes[o + 2] / s, h = boxes[o + 3] / s;
            double[] marks = new double[12];
            for (int m = 0; m < 6; m++) {
                marks[2 * m] = (boxes[o + 4 + 2 * m] / s + a[0]) * side - padX;
                marks[2 * m + 1] = (boxes[o + 5 + 2 * m] / s + a[1]) * side - padY;
            }
            candidates.add(new Face((cx - w / 2) * side - padX, (cy - h / 2) * side - padY, w * side, h * side, score, marks));
        }
        return weightedSuppression(candidates, image.getWidth(), image.getHeight());
    }

    /** The image's RGB as one NCHW float tensor, each value {@code v * scale + offset}. */
    static float[] nchw(BufferedImage rgb, float scale, float offset) {
        int w = rgb.getWidth(), h = rgb.getHeight(), plane = w * h;
        int[] px = rgb.getRGB(0, 0, w, h, null, 0, w);
        float[] t = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            t[i] = ((px[i] >> 16) & 0xff) * scale + offset;
            t[plane + i] = ((px[i] >> 8) & 0xff) * scale + offset;
            t[2 * plane + i] = (px[i] & 0xff) * scale + offset;
        }
        return t;
    }

    /**
     * MediaPipe's WEIGHTED non-maximum suppression: the best remaining face absorbs every face overlapping it by more
     * than {@link #MIN_SUPPRESSION_IOU}, and its box and landmarks become their score-weighted mean. Boxes are then
     * clipped to the image.
     */
    static List<Face> weightedSuppression(List<Face> faces, int width, int height) {
        List<Face> left = new ArrayList<>(faces);
        left.sort(Comparator.comparingDouble(Face::score).reversed());
        List<Face> kept = new ArrayList<>();
        while (!left.isEmpty()) {
            Face top = left.getFirst();
            List<Face> group = new ArrayList<>();
            for (Face f : left) if (iou(top, f) > MIN_SUPPRESSION_IOU) group.add(f);
            left.removeAll(group);
            double total = 0, x = 0, y = 0, x2 = 0, y2 = 0;
            double[] marks = new double[12];
            for (Face f : group) {
                total += f.score();
                x += f.x() * f.score();
                y += f.y() * f.score();
                x2 += (f.x() + f.width()) * f.score();
                y2 += (f.y() + f.height()) * f.score();
                for (int i = 0; i < 12; i++) marks[i] += f.landmarks()[i] * f.score();
            }
            for (int i = 0; i < 12; i++) marks[i] /= total;
            double left0 = Math.max(0, x / total), top0 = Math.max(0, y / total);
            double right = Math.min(width, x2 / total), bottom = Math.min(height, y2 / total);
            if (right > left0 && bottom > top0) kept.add(new Face(left0, top0, right - left0, bottom - top0, top.score(), marks));
        }
        return kept;
    }

    static double iou(Face a, Face b) {
        double w = Math.min(a.x() + a.width(), b.x() + b.width()) - Math.max(a.x(), b.x());
        double h = Math.min(a.y() + a.height(), b.y() + b.height()) - Math.max(a.y(), b.y());
        if (w <= 0 || h <= 0) return 0;
        double inter = w * h;
        return inter / (a.width() * a.height() + b.width() * b.height() - inter);
    }
}
