package dev.hearth.runners.ocr;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MinAreaRectTest {

    /** Points filling a w×h rectangle rotated by {@code degrees} around (cx, cy). */
    private static List<double[]> rotatedRectangle(double cx, double cy, double w, double h, double degrees) {
        double a = Math.toRadians(degrees);
        List<double[]> points = new ArrayList<>();
        for (double u = -w / 2; u <= w / 2; u += 1)
            for (double v = -h / 2; v <= h / 2; v += 1)
                points.add(new double[]{cx + u * Math.cos(a) - v * Math.sin(a), cy + u * Math.sin(a) + v * Math.cos(a)});
        return points;
    }

    @Test
    void findsTheRotatedRectangleAroundAFilledRotatedRectangle() {
        MinAreaRect.Rect r = MinAreaRect.of(rotatedRectangle(100, 50, 80, 20, 12));
        assertThat(r.width()).isCloseTo(80, within(1.0));
        assertThat(r.height()).isCloseTo(20, within(1.0));
        assertThat(Math.toDegrees(Math.atan2(r.uy(), r.ux()))).isCloseTo(12, within(1.0));
        assertThat(r.cx()).isCloseTo(100, within(0.5));
        assertThat(r.cy()).isCloseTo(50, within(0.5));
    }

    @Test
    void aTallBoxKeepsItsWidthSideHorizontalAndCornersRunClockwiseFromTopLeft() {
        Quad q = MinAreaRect.of(rotatedRectangle(40, 40, 10, 60, 0)).quad();
        assertThat(q.xs()[0]).isCloseTo(35, within(0.01));
        assertThat(q.ys()[0]).isCloseTo(10, within(0.01));
        assertThat(q.xs()[1]).isCloseTo(45, within(0.01));
        assertThat(q.ys()[2]).isCloseTo(70, within(0.01));
        assertThat(q.xs()[3]).isCloseTo(35, within(0.01));
        assertThat(q.width()).isCloseTo(10, within(0.01));
        assertThat(q.height()).isCloseTo(60, within(0.01));
    }

    @Test
    void hullDropsInteriorPoints() {
        List<double[]> pts = new ArrayList<>(List.of(new double[]{0, 0}, new double[]{4, 0}, new double[]{4, 4}, new double[]{0, 4}, new double[]{2, 2}, new double[]{1, 3}));
        assertThat(MinAreaRect.hull(pts)).hasSize(4);
    }
}
