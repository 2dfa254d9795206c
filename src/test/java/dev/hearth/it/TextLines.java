package dev.hearth.it;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Images of one line of dark text on white (DejaVu Sans), for OCR tests that must read it back exactly. */
final class TextLines {

    private TextLines() {
    }

    /** {@code text} drawn at {@code fontSize} px on a white image {@code width} × 44 px, small so the upscaler is quick. */
    static BufferedImage render(String text, int width, int fontSize) {
        BufferedImage img = new BufferedImage(width, 44, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setColor(Color.BLACK);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font("DejaVu Sans", Font.PLAIN, fontSize));
            g.drawString(text, 12, 19 + (fontSize + 1) / 2);  // the line's baseline, about mid-height
        } finally {
            g.dispose();
        }
        return img;
    }
}
