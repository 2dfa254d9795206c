package dev.hearth.runners.ocr;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * PP-OCR's CRNN/SVTR line recogniser: a straightened text box, 48 pixels high and at least 320 wide (padded
 * with the normalised zero, as PaddleOCR does), normalised to [-1, 1] in BGR order; out comes one distribution
 * over the dictionary per horizontal step, decoded greedily with CTC rules (best class per step, repeats merged,
 * blanks dropped). Index 0 is the blank, 1..n the dictionary's lines, n+1 a space.
 */
final class TextRecognizer implements AutoCloseable {

    static final int HEIGHT = 48;
    static final int MIN_WIDTH = 320;
    /** Longest line image fed at once (about 100 characters); longer boxes are squeezed to it. */
    static final int MAX_WIDTH = 4096;

    record Reading(String text, double confidence) {
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String inputName;
    private final String[] alphabet;

    TextRecognizer(OrtSession session, List<String> dictionary) throws OrtException {
        this.session = session;
        this.inputName = session.getInputNames().iterator().next();
        this.alphabet = new String[dictionary.size() + 2];
        alphabet[0] = "";
        for (int i = 0; i < dictionary.size(); i++) alphabet[i + 1] = dictionary.get(i);
        alphabet[dictionary.size() + 1] = " ";
    }

    Reading read(Page page, Quad box) throws OrtException {
        double boxW = box.width();
        double boxH = box.height();
        boolean vertical = boxH >= 1.5 * boxW;
        // A tall, narrow box is a vertical line of text: PaddleOCR turns it a quarter anticlockwise.
        Quad q = vertical ? new Quad(new double[]{box.xs()[1], box.xs()[2], box.xs()[3], box.xs()[0]},
                new double[]{box.ys()[1], box.ys()[2], box.ys()[3], box.ys()[0]}) : box;
        double ratio = vertical ? boxH / Math.max(1, boxW) : boxW / Math.max(1, boxH);
        int width = (int) Math.min(MAX_WIDTH, Math.max(1, Math.ceil(HEIGHT * ratio)));
        int[] pixels = page.straightened(q, width, HEIGHT);
        int tensorW = Math.max(MIN_WIDTH, width);
        float[] input = new float[3 * HEIGHT * tensorW];
        int plane = HEIGHT * tensorW;
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < width; x++) {
                int p = pixels[y * width + x];
                int i = y * tensorW + x;
                input[i] = (p & 0xff) / 127.5f - 1f;
                input[plane + i] = ((p >> 8) & 0xff) / 127.5f - 1f;
                input[2 * plane + i] = ((p >> 16) & 0xff) / 127.5f - 1f;
            }
        }
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[]{1, 3, HEIGHT, tensorW});
             OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            long[] shape = out.getInfo().getShape();
            int steps = (int) shape[1];
            int classes = (int) shape[2];
            if (classes != alphabet.length) {
                throw new IllegalStateException("the recognition model has " + classes + " classes but the dictionary gives " + alphabet.length
                        + " (lines + blank + space): they do not belong together");
            }
            FloatBuffer probs = out.getFloatBuffer();
            return decode(probs, steps, classes);
        }
    }

    private Reading decode(FloatBuffer probs, int steps, int classes) {
        StringBuilder text = new StringBuilder();
        double confidence = 0;
        int kept = 0;
        int previous = -1;
        for (int t = 0; t < steps; t++) {
            int best = 0;
            float bestP = -1;
            int base = t * classes;
            for (int c = 0; c < classes; c++) {
                float p = probs.get(base + c);
                if (p > bestP) {
                    bestP = p;
                    best = c;
                }
            }
            if (best != 0 && best != previous) {
                text.append(alphabet[best]);
                confidence += bestP;
                kept++;
            }
            previous = best;
        }
        return new Reading(text.toString(), kept == 0 ? 0 : confidence / kept);
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
