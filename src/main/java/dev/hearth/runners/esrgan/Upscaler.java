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
        if (tile < 8) throw new IllegalArgumentException("tile must be at least 8 pixels");
        this.model = model;
        this.tile = tile;
        this.margin = model.receptiveRadius;
    }

    int scale() {
        return model.scale;
    }

    /**
     * @param rgb the image as height × width × 3 floats in 0–255
     * @return the upscaled image, (height·scale) × (width·scale) × 3 floats, clamped to 0–255
     */
    Tensor upscale(Tensor rgb, RowPool pool) {
        int s = model.scale;
        Tensor out = new Tensor(rgb.height * s, rgb.width * s, 3);
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
                    int to = ((ty * s + y) * out.width + tx * s) * 3;
                    for (int i = 0; i < keepW * s * 3; i++) out.data[to + i] = Math.clamp(result.data[from + i], 0f, 255f);
                }
            }
        }
        return out;
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
