package dev.hearth.runners.ocr;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * PP-OCR's DB text detector: the image, resized so each side is a multiple of 32 (longest side at most
 * {@code maxSide}), goes in normalised with ImageNet statistics in BGR order; a per-pixel text probability map
 * comes out. Post-processing follows PaddleOCR's DBPostProcess: threshold the map, take each connected region's
 * minimum-area rectangle, drop regions whose mean probability is below {@code boxThreshold}, then grow each
 * rectangle by area·{@code unclip}/perimeter on every side (the network predicts shrunken text kernels) and map it
 * back to the original image.
 */
final class TextDetector implements AutoCloseable {

    /**
     * PaddleOCR's DBPostProcess thresholds, with one measured change: an unclip ratio of 2.0, not 1.5. At 1.5 the
     * box of a line in a large font hugs the capitals (29 px high for 40 px DejaVu Sans), the recogniser sees
     * its letters stretched sideways and scores the gaps between words as blanks instead of spaces, so
     * "Hello Hearth 42" came back "HelloHearth42". At 2.0 every size from 12 to 72 px reads with its spaces
     * (OcrTest.keepsTheSpacesBetweenWordsAtEverySize).
     */
    record Settings(int maxSide, float threshold, float boxThreshold, double unclip, int maxBoxes) {
        static final Settings PADDLE = new Settings(960, 0.3f, 0.6f, 2.0, 1000);
    }

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};
    private static final int MIN_SIDE = 3;

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String inputName;
    private final Settings settings;

    TextDetector(OrtSession session, Settings settings) throws OrtException {
        this.session = session;
        this.inputName = session.getInputNames().iterator().next();
        this.settings = settings;
    }

    /** Text boxes in the coordinates of the given image, top to bottom. */
    List<Quad> detect(Page page) throws OrtException {
        double ratio = Math.min(1.0, settings.maxSide() / (double) Math.max(page.width(), page.height()));
        int dw = Math.max(32, (int) Math.round(page.width() * ratio / 32) * 32);
        int dh = Math.max(32, (int) Math.round(page.height() * ratio / 32) * 32);
        int[] rgb = page.resized(dw, dh);
        float[] input = new float[3 * dh * dw];
        int plane = dh * dw;
        for (int i = 0; i < plane; i++) {
            int p = rgb[i];
            // BGR, as PaddleOCR feeds OpenCV's pixel order.
            input[i] = ((p & 0xff) / 255f - MEAN[0]) / STD[0];
            input[plane + i] = (((p >> 8) & 0xff) / 255f - MEAN[1]) / STD[1];
            input[2 * plane + i] = (((p >> 16) & 0xff) / 255f - MEAN[2]) / STD[2];
        }
        float[] prob;
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[]{1, 3, dh, dw});
             OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            prob = new float[out.remaining()];
            out.get(prob);
        }
        if (prob.length != plane) throw new IllegalStateException("the detection model returned " + prob.length + " values for " + plane + " pixels");
        List<Quad> boxes = new ArrayList<>();
        for (MinAreaRect.Rect r : regions(prob, dw, dh)) {
            boxes.add(r.quad().scaled(page.width() / (double) dw, page.height() / (double) dh, page.width() - 1, page.height() - 1));
        }
        boxes.sort(Comparator.comparingDouble(Quad::minY).thenComparingDouble(Quad::minX));
        return boxes;
    }

    /** Connected regions above the threshold (8-neighbourhood), filtered and grown as DBPostProcess does. */
    List<MinAreaRect.Rect> regions(float[] prob, int w, int h) {
        boolean[] seen = new boolean[prob.length];
        int[] stack = new int[prob.length];
        List<MinAreaRect.Rect> rects = new ArrayList<>();
        for (int start = 0; start < prob.length && rects.size() < settings.maxBoxes(); start++) {
            if (seen[start] || prob[start] <= settings.threshold()) continue;
            // Flood fill, keeping each row's leftmost and rightmost pixel: enough for the convex hull.
            int[] left = new int[h];
            int[] right = new int[h];
            java.util.Arrays.fill(left, Integer.MAX_VALUE);
            java.util.Arrays.fill(right, -1);
            int top = h, bottom = -1;
            int sp = 0;
            stack[sp++] = start;
            seen[start] = true;
            while (sp > 0) {
                int p = stack[--sp];
                int x = p % w;
                int y = p / w;
                left[y] = Math.min(left[y], x);
                right[y] = Math.max(right[y], x);
                top = Math.min(top, y);
                bottom = Math.max(bottom, y);
                for (int dy = -1; dy <= 1; dy++) {
                    int ny = y + dy;
                    if (ny < 0 || ny >= h) continue;
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = x + dx;
                        if (nx < 0 || nx >= w) continue;
                        int q = ny * w + nx;
                        if (!seen[q] && prob[q] > settings.threshold()) {
                            seen[q] = true;
                            stack[sp++] = q;
                        }
                    }
                }
            }
            List<double[]> points = new ArrayList<>();
            for (int y = top; y <= bottom; y++) {
                if (right[y] < 0) continue;
                points.add(new double[]{left[y], y});
                if (right[y] != left[y]) points.add(new double[]{right[y], y});
            }
            MinAreaRect.Rect rect = MinAreaRect.of(points);
            if (rect.shortSide() < MIN_SIDE) continue;
            if (meanInside(prob, w, h, rect.quad()) < settings.boxThreshold()) continue;
            double distance = rect.width() * rect.height() * settings.unclip() / (2 * (rect.width() + rect.height()));
            MinAreaRect.Rect grown = rect.grown(distance);
            if (grown.shortSide() < MIN_SIDE + 2) continue;
            rects.add(grown);
        }
        return rects;
    }

    /** Mean probability over the pixels inside a quad: PaddleOCR's "fast" box score. */
    private static double meanInside(float[] prob, int w, int h, Quad q) {
        int x0 = Math.max(0, (int) Math.floor(q.minX()));
        int x1 = Math.min(w - 1, (int) Math.ceil(q.maxX()));
        int y0 = Math.max(0, (int) Math.floor(q.minY()));
        int y1 = Math.min(h - 1, (int) Math.ceil(q.maxY()));
        double sum = 0;
        int n = 0;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                if (inside(q, x, y)) {
                    sum += prob[y * w + x];
                    n++;
                }
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    /** Point in a convex quad (corners clockwise on screen), edges included. */
    private static boolean inside(Quad q, double x, double y) {
        for (int i = 0; i < 4; i++) {
            int j = (i + 1) % 4;
            double cross = (q.xs()[j] - q.xs()[i]) * (y - q.ys()[i]) - (q.ys()[j] - q.ys()[i]) * (x - q.xs()[i]);
            if (cross < -1e-6) return false;
        }
        return true;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
