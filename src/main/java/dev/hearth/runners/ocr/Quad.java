package dev.hearth.runners.ocr;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A rotated rectangle around a piece of text, as four corners in image pixels: top-left, top-right,
 * bottom-right, bottom-left (clockwise on screen, where y grows downwards).
 */
record Quad(double[] xs, double[] ys) {

    double width() {
        return Math.max(dist(0, 1), dist(3, 2));
    }

    double height() {
        return Math.max(dist(0, 3), dist(1, 2));
    }

    double centerY() {
        return (ys[0] + ys[1] + ys[2] + ys[3]) / 4;
    }

    double minX() {
        return Math.min(Math.min(xs[0], xs[1]), Math.min(xs[2], xs[3]));
    }

    double maxX() {
        return Math.max(Math.max(xs[0], xs[1]), Math.max(xs[2], xs[3]));
    }

    double minY() {
        return Math.min(Math.min(ys[0], ys[1]), Math.min(ys[2], ys[3]));
    }

    double maxY() {
        return Math.max(Math.max(ys[0], ys[1]), Math.max(ys[2], ys[3]));
    }

    private double dist(int a, int b) {
        return Math.hypot(xs[a] - xs[b], ys[a] - ys[b]);
    }

    Quad scaled(double sx, double sy, double maxX, double maxY) {
        double[] x = new double[4];
        double[] y = new double[4];
        for (int i = 0; i < 4; i++) {
            x[i] = Math.clamp(xs[i] * sx, 0, maxX);
            y[i] = Math.clamp(ys[i] * sy, 0, maxY);
        }
        return new Quad(x, y);
    }

    /** The rectangle with centre (cx, cy), side {@code w} along direction (ux, uy) and side {@code h} across it. */
    static Quad rectangle(double cx, double cy, double ux, double uy, double w, double h) {
        double vx = -uy;
        double vy = ux;
        List<double[]> corners = new ArrayList<>(4);
        for (int[] s : new int[][]{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}}) {
            corners.add(new double[]{cx + s[0] * ux * w / 2 + s[1] * vx * h / 2, cy + s[0] * uy * w / 2 + s[1] * vy * h / 2});
        }
        return ordered(corners, cx, cy);
    }

    /** Corners sorted clockwise on screen, starting from the one nearest the top-left. */
    private static Quad ordered(List<double[]> corners, double cx, double cy) {
        corners.sort(Comparator.comparingDouble(c -> Math.atan2(c[1] - cy, c[0] - cx)));
        int first = 0;
        for (int i = 1; i < 4; i++) {
            if (corners.get(i)[0] + corners.get(i)[1] < corners.get(first)[0] + corners.get(first)[1]) first = i;
        }
        double[] x = new double[4];
        double[] y = new double[4];
        for (int i = 0; i < 4; i++) {
            double[] c = corners.get((first + i) % 4);
            x[i] = c[0];
            y[i] = c[1];
        }
        return new Quad(x, y);
    }

    /** The axis-aligned rectangle around several quads (a line made of several detected pieces). */
    static Quad bounding(List<Quad> quads) {
        double x0 = Double.MAX_VALUE, y0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (Quad q : quads) {
            x0 = Math.min(x0, q.minX());
            y0 = Math.min(y0, q.minY());
            x1 = Math.max(x1, q.maxX());
            y1 = Math.max(y1, q.maxY());
        }
        return new Quad(new double[]{x0, x1, x1, x0}, new double[]{y0, y0, y1, y1});
    }
}
