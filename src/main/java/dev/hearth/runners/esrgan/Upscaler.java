package dev.hearth.runners.esrgan;

/**
 * Upscales an RGB image with a {@link LayersModel}, tile by tile so memory stays bounded whatever the image
 * size. Each tile is run with a margin of the network's receptive radius on every side that has image beyond
 * it, and only its centre is kept: every kept pixel then saw exactly what it would have seen in one pass over
 * the whole image, so tiling changes nothing but the order of work.
 */
final class Upscaler {

    private final LayersModel model;
    private final int tile;
    private final int margin;

    /** @param tile the side, in input pixels, of the part of each tile that is kept */
    Upscaler(LayersModel model, int tile) {
        this(model, tile, model.receptiveRadius);
    }

    /** With another margin than the network's reach: only for showing that a narrower one changes the result. */
    Upscaler(LayersModel model, int tile, int margin) {
        if (tile < 8) throw new IllegalArgumentException("tile must be at least 8 pixels");
        this.model = model;
        this.tile = tile;
        this.margin = margin;
    }

    int scale() {
        return model.scale;
    }

    /**
     * @param rgb the image as height × width × 3 floats in 0–255
     * @param out receives the upscaled image, (height·scale) × (width·scale) pixels packed as 0xFFRRGGBB, rounded
     *            and clamped: the pixel array of a {@code TYPE_INT_RGB}/{@code ARGB} image can be passed directly,
     *            so no full-size float copy of the result ever exists
     */
    void upscale(Tensor rgb, int[] out, RowPool pool) {
        int s = model.scale;
        int outW = rgb.width * s;
        if (out.length != (long) outW * rgb.height * s) throw new IllegalArgumentException("output array has the wrong size");
        for (int ty = 0; ty < rgb.height; ty += tile) {
            for (int tx = 0; tx < rgb.width; tx += tile) {
                if (Thread.currentThread().isInterrupted()) throw new IllegalStateException("upscale interrupted");
                int y0 = Math.max(0, ty - margin);
                int x0 = Math.max(0, tx - margin);
                int y1 = Math.min(rgb.height, ty + tile + margin);
                int x1 = Math.min(rgb.width, tx + tile + margin);
                Tensor result = model.run(crop(rgb, y0, x0, y1, x1), pool);
                int keepH = Math.min(tile, rgb.height - ty);
                int keepW = Math.min(tile, rgb.width - tx);
                for (int y = 0; y < keepH * s; y++) {
                    int from = (((ty - y0) * s + y) * result.width + (tx - x0) * s) * 3;
                    int to = (ty * s + y) * outW + tx * s;
                    for (int x = 0; x < keepW * s; x++, from += 3) {
                        out[to + x] = 0xff000000 | channel(result.data[from]) << 16 | channel(result.data[from + 1]) << 8 | channel(result.data[from + 2]);
                    }
                }
            }
        }
    }

    private static int channel(float v) {
        return Math.round(Math.clamp(v, 0f, 255f));
    }

    private static Tensor crop(Tensor t, int y0, int x0, int y1, int x1) {
        if (y0 == 0 && x0 == 0 && y1 == t.height && x1 == t.width) return t;
        Tensor c = new Tensor(y1 - y0, x1 - x0, t.channels);
        for (int y = y0; y < y1; y++) {
            System.arraycopy(t.data, (y * t.width + x0) * t.channels, c.data, (y - y0) * c.width * t.channels, c.width * t.channels);
        }
        return c;
    }
}
