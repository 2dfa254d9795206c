package dev.hearth.runners.vision;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code object-detection}: {@code image} (required), {@code min_confidence}, {@code max_detections}, {@code classes}
 * (comma-separated COCO labels to keep, all when absent) and {@code annotate}. Answers
 * {@code {"objects": [{"label", "score", "box": {x, y, width, height}}], "count", "width", "height"}}, in pixels of
 * the image sent, best first; with {@code annotate} also {@code "image"}: the photo with labelled boxes drawn,
 * base64 (JPEG or PNG, {@code output_format}).
 */
final class ObjectDetectionRunner implements Runner {

    private final CenterNet detector;
    private final TensorFlowNet net;
    private final long maxPixels;

    ObjectDetectionRunner(TensorFlowNet net, long maxPixels) {
        this.detector = new CenterNet(net);
        this.net = net;
        this.maxPixels = maxPixels;
    }

    @Override
    public RunOutput run(RunInput input) throws Exception {
        ObjectNode params = input.params();
        double minConfidence = params.path("min_confidence").asDouble(0.25);
        if (!(minConfidence >= 0.05 && minConfidence <= 1)) throw new RunFailure("'min_confidence' must be between 0.05 and 1");
        int max = params.path("max_detections").asInt(20);
        if (max < 1 || max > 100) throw new RunFailure("'max_detections' must be between 1 and 100");
        Set<String> classes = classes(params.path("classes"));
        OutputImages.Format format = OutputImages.Format.parse(params.path("output_format").asText("jpeg"));
        BufferedImage image = InputImages.read(input, "image", maxPixels, "send a smaller image");

        List<CenterNet.Detection> found = detector.detect(image, minConfidence, max, classes);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode list = body.putArray("objects");
        Annotation drawing = params.path("annotate").asBoolean(false) ? new Annotation(image) : null;
        for (CenterNet.Detection d : found) {
            ObjectNode o = list.addObject();
            o.put("label", d.label());
            o.put("score", Math.round(d.score() * 10000) / 10000.0);
            o.putObject("box").put("x", round(d.x())).put("y", round(d.y())).put("width", round(d.width())).put("height", round(d.height()));
            if (drawing != null) drawing.box(d.x(), d.y(), d.width(), d.height(), String.format(Locale.ROOT, "%s %.2f", d.label(), d.score()));
        }
        return Annotation.answer(body, found.size(), image, drawing, format);
    }

    /** The {@code classes} filter: comma-separated COCO labels, each checked, so a typo is an error, not an empty answer. */
    static Set<String> classes(JsonNode value) throws RunFailure {
        Set<String> classes = new LinkedHashSet<>();
        if (value.isMissingNode() || value.isNull()) return classes;
        if (!value.isTextual()) throw new RunFailure("'classes' must be a string of comma-separated labels, e.g. \"person, dog\"");
        for (String part : value.textValue().split(",")) {
            String label = part.trim().toLowerCase(Locale.ROOT);
            if (label.isEmpty()) continue;
            if (!CenterNet.LABELS.contains(label)) {
                throw new RunFailure("'classes': '" + label + "' is not one of the 80 COCO labels (" + String.join(", ", CenterNet.LABELS) + ")");
            }
            classes.add(label);
        }
        return classes;
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    @Override
    public void close() {
        net.close();
    }

    @Override
    public String toString() {
        return "centernet";
    }
}
