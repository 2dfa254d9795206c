package dev.hearth.runners.vision;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.image.InputImages;
import dev.hearth.runners.image.OutputImages;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * {@code face-detection}: {@code image} (required), {@code range} (short: selfies and faces near the camera; full:
 * faces up to about 5 m, the default), {@code min_confidence} and {@code annotate}. Answers
 * {@code {"faces": [{"box": {x, y, width, height}, "score", "landmarks": {"right_eye": [x, y], ...}}], "count",
 * "width", "height"}}, in pixels of the image sent, best first; with {@code annotate} also {@code "image"}: the
 * photo with the boxes and landmarks drawn, base64 (JPEG or PNG, {@code output_format}).
 */
final class FaceDetectionRunner implements Runner {

    private final BlazeFace shortRange;
    private final BlazeFace fullRange;
    private final long maxPixels;

    FaceDetectionRunner(BlazeFace shortRange, BlazeFace fullRange, long maxPixels) {
        this.shortRange = shortRange;
        this.fullRange = fullRange;
        this.maxPixels = maxPixels;
    }

    @Override
    public RunOutput run(RunInput input) throws Exception {
        ObjectNode params = input.params();
        String range = params.path("range").asText("full");
        BlazeFace detector = switch (range) {
            case "short" -> shortRange;
            case "full" -> fullRange;
            default -> throw new RunFailure("'range' must be short or full, not '" + range + "'");
        };
        double minConfidence = params.path("min_confidence").asDouble(0.5);
        if (!(minConfidence >= 0.05 && minConfidence <= 1)) throw new RunFailure("'min_confidence' must be between 0.05 and 1");
        OutputImages.Format format = OutputImages.Format.parse(params.path("output_format").asText("jpeg"));
        BufferedImage image = InputImages.read(input, "image", maxPixels, "send a smaller image");

        List<BlazeFace.Face> faces = detector.detect(image, minConfidence);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode list = body.putArray("faces");
        Annotation drawing = params.path("annotate").asBoolean(false) ? new Annotation(image) : null;
        for (BlazeFace.Face f : faces) {
            ObjectNode face = list.addObject();
            face.putObject("box").put("x", round(f.x())).put("y", round(f.y())).put("width", round(f.width())).put("height", round(f.height()));
            face.put("score", Math.round(f.score() * 10000) / 10000.0);
            ObjectNode marks = face.putObject("landmarks");
            for (int i = 0; i < BlazeFace.LANDMARKS.size(); i++) {
                marks.putArray(BlazeFace.LANDMARKS.get(i)).add(round(f.landmarks()[2 * i])).add(round(f.landmarks()[2 * i + 1]));
            }
            if (drawing != null) {
                drawing.box(f.x(), f.y(), f.width(), f.height(), String.format(Locale.ROOT, "face %.2f", f.score()));
                for (int i = 0; i < 6; i++) drawing.point(f.landmarks()[2 * i], f.landmarks()[2 * i + 1]);
            }
        }
        return Annotation.answer(body, faces.size(), image, drawing, format);
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    @Override
    public String toString() {
        return "blazeface short+full";
    }
}
