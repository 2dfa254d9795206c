package dev.hearth.runners.ocr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The smallest rotated rectangle around a set of points (OpenCV's {@code minAreaRect}): the convex hull by
 * Andrew's monotone chain, then one candidate rectangle per hull edge, since the optimum has a side on an edge.
 */
final class MinAreaRect {

    /** A rotated rectangle: centre, unit direction of its {@code width} side, and its two sides. */
    record Rect(double cx, double cy, double ux, double uy, double width, double height) {

        double shortSide() {
            return Math.min(width, height);
        }

        Rect grown(double by) {
            return new Rect(cx, cy, ux, uy, width + 2 * by, height + 2 * by);
        }

        Quad quad() {
            return Quad.rectangle(cx, cy, ux, uy, width, height);
        }
    }

    private MinAreaRect() {
    }

    /** @param points (x, y) pairs; at least one */
    static Rect of(List<double[]> points) {
        List<double[]> hull = hull(points);
        if (hull.size() == 1) return new Rect(hull.getFirst()[0], hull.getFirst()[1], 1, 0, 0, 0);
        Rect best = null;
        double bestArea = Double.MAX_VALUE;
        for (int i = 0; i < hull.size(); i++) {
            double[] a = hull.get(i);
            double[] b = hull.get((i + 1) % hull.size());
            double len = Math.hypot(b[0] - a[0], b[1] - a[1]);
            if (len == 0) continue;
            double ux = (b[0] - a[0]) / len;
            double uy = (b[1] - a[1]) / len;
            double minU = Double.MAX_VALUE, maxU = -Double.MAX_VALUE, minV = Double.MAX_VALUE, maxV = -Double.MAX_VALUE;
            for (double[] p : hull) {
                double u = p[0] * ux + p[1] * uy;
                double v = -p[0] * uy + p[1] * ux;
                minU = Math.min(minU, u);
                maxU = Math.max(maxU, u);
                minV = Math.min(minV, v);
                maxV = Math.max(maxV, v);
            }
            double area = (maxU - minU) * (maxV - minV);
            if (area < bestArea) {
                bestArea = area;
                double cu = (minU + maxU) / 2;
                double cv = (minV + maxV) / 2;
                // back from (u, v) to (x, y): x = u·ux − v·uy, y = u·uy + v·ux
                best = new Rect(cu * ux - cv * uy, cu * uy + cv * ux, ux, uy, maxU - minU, maxV - minV);
            }
        }
        if (best == null) return new Rect(hull.getFirst()[0], hull.getFirst()[1], 1, 0, 0, 0);
        // Keep the "width" side the more horizontal one, so a text line's width runs along the line.
        if (Math.abs(best.ux) < Math.abs(best.uy)) {
            double ux = best.uy, uy = -best.ux;
            if (ux < 0) {
                ux = -ux;
                uy = -uy;
            }
            best = new Rect(best.cx, best.cy, ux, uy, best.height, best.width);
        } else if (best.ux < 0) {
            best = new Rect(best.cx, best.cy, -best.ux, -best.uy, best.width, best.height);
        }
        return best;
    }

    static List<double[]> hull(List<double[]> points) {
        double[][] p = points.toArray(double[][]::new);
        Arrays.sort(p, Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> a[1]));
        int n = p.length;
        if (n < 3) return new ArrayList<>(Arrays.asList(p));
        double[][] h = new double[2 * n][];
        int k = 0;
        for (double[] q : p) {
            while (k >= 2 && cross(h[k - 2], h[k - 1], q) <= 0) k--;
            h[k++] = q;
        }
        for (int i = n - 2, lower = k + 1; i >= 0; i--) {
            while (k >= lower && cross(h[k - 2], h[k - 1], p[i]) <= 0) k--;
            h[k++] = p[i];
        }
        return new ArrayList<>(Arrays.asList(h).subList(0, Math.max(1, k - 1)));
    }

    private static double cross(double[] o, double[] a, double[] b) {
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    }
}
