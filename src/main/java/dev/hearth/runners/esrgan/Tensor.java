package dev.hearth.runners.esrgan;

/** A feature map in height × width × channels order (TF.js "channels_last"), as one flat float array. */
final class Tensor {

    final int height;
    final int width;
    final int channels;
    final float[] data;

    Tensor(int height, int width, int channels) {
        this(height, width, channels, new float[Math.multiplyExact(Math.multiplyExact(height, width), channels)]);
    }

    Tensor(int height, int width, int channels, float[] data) {
        if (data.length != (long) height * width * channels) throw new IllegalArgumentException("tensor data has the wrong size");
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.data = data;
    }

    float get(int y, int x, int c) {
        return data[(y * width + x) * channels + c];
    }

    /** A copy with {@code border} zero pixels on every side: what a "same" convolution reads past the edges. */
    Tensor padded(int border) {
        if (border == 0) return this;
        Tensor p = new Tensor(height + 2 * border, width + 2 * border, channels);
        int rowLength = width * channels;
        for (int y = 0; y < height; y++) {
            System.arraycopy(data, y * rowLength, p.data, ((y + border) * p.width + border) * channels, rowLength);
        }
        return p;
    }

    /** Channels of several tensors of the same size side by side (Keras Concatenate on the last axis). */
    static Tensor concat(Tensor... parts) {
        int channels = 0;
        for (Tensor t : parts) {
            if (t.height != parts[0].height || t.width != parts[0].width) throw new IllegalArgumentException("concatenated tensors differ in size");
            channels += t.channels;
        }
        Tensor out = new Tensor(parts[0].height, parts[0].width, channels);
        int pixels = out.height * out.width;
        for (int p = 0; p < pixels; p++) {
            int o = p * channels;
            for (Tensor t : parts) {
                System.arraycopy(t.data, p * t.channels, out.data, o, t.channels);
                o += t.channels;
            }
        }
        return out;
    }

    static Tensor add(Tensor a, Tensor b) {
        if (a.data.length != b.data.length || a.channels != b.channels) throw new IllegalArgumentException("added tensors differ in shape");
        Tensor out = new Tensor(a.height, a.width, a.channels);
        for (int i = 0; i < out.data.length; i++) out.data[i] = a.data[i] + b.data[i];
        return out;
    }

    static Tensor relu(Tensor a) {
        Tensor out = new Tensor(a.height, a.width, a.channels);
        for (int i = 0; i < out.data.length; i++) out.data[i] = Math.max(0f, a.data[i]);
        return out;
    }

    /** Nearest-neighbour upsampling by an integer factor (only used when it cannot be fused into the next convolution). */
    static Tensor upsample(Tensor a, int factor) {
        Tensor out = new Tensor(a.height * factor, a.width * factor, a.channels);
        for (int y = 0; y < out.height; y++) {
            for (int x = 0; x < out.width; x++) {
                System.arraycopy(a.data, ((y / factor) * a.width + x / factor) * a.channels, out.data, (y * out.width + x) * out.channels, a.channels);
            }
        }
        return out;
    }
}
