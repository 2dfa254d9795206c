package dev.hearth.runners.ocr;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.image.InputImages;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads the text of an image: detect text boxes, recognise each, drop readings below {@code minConfidence}
 * (PaddleOCR's drop_score), then join boxes that sit on the same line, left to right. Answers
 * {@code {"text": "line\nline", "lines": [{"text", "box": [[x,y] ×4], "confidence"}]}}; the box corners run
 * clockwise from the top-left, in pixels of the image sent.
 */
final class OcrRunner implements Runner {

    private final TextDetector detector;
    private final TextRecognizer recognizer;
    private final long maxPixels;
    private final double minConfidence;

    OcrRunner(TextDetector detector, TextRecognizer recognizer, long maxPixels, double minConfidence) {
        this.detector = detector;
        this.recognizer = recognizer;
        this.maxPixels = maxPixels;
        this.minConfidence = minConfidence;
    }

    private record Piece(Quad box, TextRecognizer.Reading reading) {
    }

    @Override
    public RunOutput run(RunInput input) throws Exception {
        Page page = new Page(InputImages.read(input, "image", maxPixels, "send a smaller image"));
        List<Piece> pieces = new ArrayList<>();
        for (Quad box : detector.detect(page)) {
            if (Thread.currentThread().isInterrupted()) throw new InterruptedException("OCR interrupted");
            TextRecognizer.Reading r = recognizer.read(page, box);
            if (!r.text().isBlank() && r.confidence() >= minConfidence) pieces.add(new Piece(box, r));
        }
        List<List<Piece>> lines = lines(pieces);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        StringBuilder all = new StringBuilder();
        for (List<Piece> line : lines) {
            StringBuilder text = new StringBuilder();
            double confidence = 0;
            for (Piece p : line) {
                if (!text.isEmpty()) text.append(' ');
                text.append(p.reading().text().strip());
                confidence += p.reading().confidence();
            }
            Quad box = line.size() == 1 ? line.getFirst().box() : Quad.bounding(line.stream().map(Piece::box).toList());
            ObjectNode l = out.addObject();
            l.put("text", text.toString());
            ArrayNode corners = l.putArray("box");
            for (int i = 0; i < 4; i++) corners.addArray().add(Math.round(box.xs()[i])).add(Math.round(box.ys()[i]));
            l.put("confidence", Math.round(confidence / line.size() * 10000) / 10000.0);
            if (!all.isEmpty()) all.append('\n');
            all.append(text);
        }
        body.put("text", all.toString());
        body.set("lines", out);
        return new RunOutput.Json(body, 0);
    }

    /**
     * Groups pieces into lines: a piece joins a line when their vertical extents overlap by more than half of
     * the smaller height. Lines are returned top to bottom, pieces left to right.
     */
    static List<List<Piece>> lines(List<Piece> pieces) {
        List<Piece> sorted = new ArrayList<>(pieces);
        sorted.sort(Comparator.comparingDouble(p -> p.box().centerY()));
        List<List<Piece>> lines = new ArrayList<>();
        List<double[]> extents = new ArrayList<>();
        for (Piece p : sorted) {
            double top = p.box().minY();
            double bottom = p.box().maxY();
            int joined = -1;
            for (int i = 0; i < lines.size(); i++) {
                double[] e = extents.get(i);
                double overlap = Math.min(bottom, e[1]) - Math.max(top, e[0]);
                if (overlap > 0.5 * Math.min(bottom - top, e[1] - e[0])) {
                    joined = i;
                    break;
                }
            }
            if (joined < 0) {
                lines.add(new ArrayList<>(List.of(p)));
                extents.add(new double[]{top, bottom});
            } else {
                lines.get(joined).add(p);
                double[] e = extents.get(joined);
                e[0] = Math.min(e[0], top);
                e[1] = Math.max(e[1], bottom);
            }
        }
        for (List<Piece> line : lines) line.sort(Comparator.comparingDouble(p -> p.box().minX()));
        lines.sort(Comparator.comparingDouble(l -> l.getFirst().box().minY()));
        return lines;
    }

    @Override
    public void close() throws Exception {
        try {
            detector.close();
        } finally {
            recognizer.close();
        }
    }
}
