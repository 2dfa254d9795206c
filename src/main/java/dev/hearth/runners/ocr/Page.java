package dev.hearth.runners.ocr;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** The image being read, as opaque RGB pixels (transparency composited onto white, as text is usually dark). */
final class Page {

    private final BufferedImage image;
    private final int[] rgb;

    Page(BufferedImage source) {
        int w = source.getWidth();
        int h = source.getHeight();
        int[] argb = source.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            int a = p >>> 24;
            if (a == 0xff) continue;
            int r = ((p >> 16) & 0xff) * a / 255 + (255 - a);
            int g = ((p >> 8) & 0xff) * a / 255 + (255 - a);
            int b = (p & 0xff) * a / 255 + (255 - a);
            argb[i] = 0xff000000 | r << 16 | g << 8 | b;
        }
        this.rgb = argb;
        this.image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, w, h, argb, 0, w);
    }

    int width() {
        return image.getWidth();
    }

    int height() {
        return image.getHeight();
    }

    /** The whole page resized (bilinear; area-averaged when shrinking a lot), as 0xRRGGBB pixels. */
    int[] resized(int w, int h) {
        if (w == width() && h == height()) return rgb;
        BufferedImage src = image;
        // Halve first while more than twice too big: one bilinear step would skip pixels and alias thin strokes.
        while (src.getWidth() >= 2 * w && src.getHeight() >= 2 * h) src = scale(src, src.getWidth() / 2, src.getHeight() / 2);
        BufferedImage out = scale(src, w, h);
        return out.getRGB(0, 0, w, h, null, 0, w);
    }

    private static BufferedImage scale(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * The inside of a quad straightened into a {@code w × h} image: each output pixel averages n×n bilinear
     * samples of the source (n = the shrink factor, rounded up), so large text is shrunk without aliasing.
     * Samples past the page edge repeat the edge pixel.
     */
    int[] straightened(Quad q, int w, int h) {
        double[] xs = q.xs();
        double[] ys = q.ys();
        double ex = xs[1] - xs[0], ey = ys[1] - ys[0];   // along the top edge
        double fx = xs[3] - xs[0], fy = ys[3] - ys[0];   // down the left edge
        int n = (int) Math.max(1, Math.ceil(Math.max(q.width() / w, q.height() / h)));
        int[] out = new int[w * h];
        for (int v = 0; v < h; v++) {
            for (int u = 0; u < w; u++) {
                double r = 0, g = 0, b = 0;
                for (int sv = 0; sv < n; sv++) {
                    double fv = (v + (sv + 0.5) / n) / h;
                    for (int su = 0; su < n; su++) {
                        double fu = (u + (su + 0.5) / n) / w;
                        int p = bilinear(xs[0] + fu * ex + fv * fx - 0.5, ys[0] + fu * ey + fv * fy - 0.5);
                        r += (p >> 16) & 0xff;
                        g += (p >> 8) & 0xff;
                        b += p & 0xff;
                    }
                }
                int k = n * n;
                out[v * w + u] = (int) Math.round(r / k) << 16 | (int) Math.round(g / k) << 8 | (int) Math.round(b / k);
            }
        }
        return out;
    }

    private int bilinear(double x, double y) {
        int w = width(), h = height();
        int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
        double ax = x - x0, ay = y - y0;
        int p00 = at(x0, y0, w, h), p10 = at(x0 + 1, y0, w, h), p01 = at(x0, y0 + 1, w, h), p11 = at(x0 + 1, y0 + 1, w, h);
        int result = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            double top = ((p00 >> shift) & 0xff) * (1 - ax) + ((p10 >> shift) & 0xff) * ax;
            double bottom = ((p01 >> shift) & 0xff) * (1 - ax) + ((p11 >> shift) & 0xff) * ax;
            result |= ((int) Math.round(top * (1 - ay) + bottom * ay) & 0xff) << shift;
        }
        return result;
    }

    private int at(int x, int y, int w, int h) {
        return rgb[Math.clamp(y, 0, h - 1) * w + Math.clamp(x, 0, w - 1)];
    }
}
