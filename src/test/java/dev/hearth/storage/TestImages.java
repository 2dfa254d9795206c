package dev.hearth.storage;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;

/** Small real images drawn with Java2D and encoded by ImageIO, and damaged copies of them. */
public final class TestImages {

    private TestImages() {
    }

    public static byte[] encode(String format, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, format.equals("jpg") || format.equals("bmp") ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(0, 0, Color.ORANGE, w, h, Color.BLUE));
        g.fillRect(0, 0, w, h);
        g.setColor(Color.WHITE);
        for (int i = 0; i < w; i += 7) g.drawLine(i, 0, w - i, h);   // detail, so the compressed data is not tiny
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) throw new IllegalStateException("no writer for " + format);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    public static byte[] png(int w, int h) {
        return encode("png", w, h);
    }

    public static byte[] jpeg(int w, int h) {
        return encode("jpg", w, h);
    }

    public static byte[] truncated(byte[] b) {
        return Arrays.copyOf(b, b.length / 2);
    }

    public static String dataUrl(String type, byte[] b) {
        return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(b);
    }
}
