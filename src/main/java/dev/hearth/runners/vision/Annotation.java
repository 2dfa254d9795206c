package dev.hearth.runners.vision;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.image.OutputImages;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Base64;

/**
 * A copy of the input image with what a detector found drawn on it: a box with a label per finding, and points
 * (landmarks). Line widths and fonts grow with the image so they stay visible on large photos.
 */
final class Annotation {

    private final BufferedImage canvas;
    private final Graphics2D g;
    private final float line;

    Annotation(BufferedImage source) {
        canvas = new BufferedImage(source.getWidth(), source.getHeight(), BufferedImage.TYPE_INT_RGB);
        g = canvas.createGraphics();
        g.drawImage(source, 0, 0, null);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        line = Math.max(2f, Math.max(source.getWidth(), source.getHeight()) / 300f);
        g.setStroke(new BasicStroke(line));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.round(line * 6)));
    }

    void box(double x, double y, double w, double h, String label) {
        g.setColor(new Color(0, 220, 90));
        g.drawRect((int) Math.round(x), (int) Math.round(y), (int) Math.round(w), (int) Math.round(h));
        int textWidth = g.getFontMetrics().stringWidth(label) + 2 * Math.round(line);
        int textHeight = g.getFontMetrics().getHeight();
        int top = (int) Math.max(0, Math.round(y) - textHeight);
        g.fillRect((int) Math.round(x), top, textWidth, textHeight);
        g.setColor(Color.BLACK);
        g.drawString(label, (int) Math.round(x) + Math.round(line), top + g.getFontMetrics().getAscent());
    }

    void point(double x, double y) {
        g.setColor(new Color(255, 60, 60));
        int r = Math.round(line * 1.5f);
        g.fillOval((int) Math.round(x) - r, (int) Math.round(y) - r, 2 * r, 2 * r);
    }

    BufferedImage done() {
        g.dispose();
        return canvas;
    }

    /**
     * A detector's answer: {@code body} (its findings) with how many there were and the photo's size, plus the
     * annotated photo, base64 in {@code format}, when {@code drawing} is not null (the caller asked for it).
     */
    static RunOutput.Json answer(ObjectNode body, int count, BufferedImage image, Annotation drawing, OutputImages.Format format) throws RunFailure, java.io.IOException {
        body.put("count", count);
        body.put("width", image.getWidth());
        body.put("height", image.getHeight());
        if (drawing != null) {
            body.put("image", Base64.getEncoder().encodeToString(OutputImages.encode(drawing.done(), format, 90)));
            body.put("content_type", format.contentType);
        }
        return new RunOutput.Json(body, 0);
    }
}
