package dev.hearth.runners.esrgan;

import java.util.Arrays;

/**
 * A 2-D convolution with stride 1 over an HWC tensor, optionally followed by ReLU. Weights are kept as one row
 * of output channels per (ky, kx, input channel), and four neighbouring output pixels are computed together:
 * the innermost loop then reads and writes arrays at the same index, which the JIT turns into SIMD code (a
 * loop with two different offsets into arrays that may alias is left scalar), and each weight row is loaded
 * once for four pixels. "same" padding is done by convolving a zero-bordered copy, so the loops have no edge
 * tests.
 */
final class Conv2d {

    final int kernel;
    final int inChannels;
    final int outChannels;
    /** Zero pixels added on each side before convolving: (k-1)/2 for "same", 0 for "valid". */
    final int pad;
    final boolean relu;
    private final float[][] rows;
    private final float[] bias;

    private Conv2d(int kernel, int inChannels, int outChannels, int pad, boolean relu, float[][] rows, float[] bias) {
        this.kernel = kernel;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.pad = pad;
        this.relu = relu;
        this.rows = rows;
        this.bias = bias;
    }

    /** From Keras weights: kernel in [kh][kw][in][out] order (TF's HWIO), bias per output channel (null: none). */
    static Conv2d of(float[] hwio, float[] bias, int kernel, int inChannels, int outChannels, boolean same, boolean relu) {
        if (kernel % 2 == 0 && same) throw new IllegalArgumentException("'same' padding with an even kernel is not supported");
        if (hwio.length != kernel * kernel * inChannels * outChannels) throw new IllegalArgumentException("kernel weights have the wrong size");
        float[][] rows = new float[kernel * kernel * inChannels][];
        for (int r = 0; r < rows.length; r++) rows[r] = Arrays.copyOfRange(hwio, r * outChannels, (r + 1) * outChannels);
        float[] b = bias == null ? new float[outChannels] : bias.clone();
        if (b.length != outChannels) throw new IllegalArgumentException("bias has the wrong size");
        return new Conv2d(kernel, inChannels, outChannels, same ? (kernel - 1) / 2 : 0, relu, rows, b);
    }

    Conv2d withRelu() {
        return new Conv2d(kernel, inChannels, outChannels, pad, true, rows, bias);
    }

    /** Radius of the neighbourhood one output pixel reads, in pixels of this layer's input. */
    int radius() {
        return (kernel - 1) / 2;
    }

    Tensor apply(Tensor input, RowPool pool) {
        if (input.channels != inChannels) {
            throw new IllegalArgumentException("convolution expects " + inChannels + " channels, got " + input.channels);
        }
        Tensor src = input.padded(pad);
        int outH = src.height - kernel + 1;
        int outW = src.width - kernel + 1;
        if (outH <= 0 || outW <= 0) throw new IllegalArgumentException("input smaller than the kernel");
        Tensor out = new Tensor(outH, outW, outChannels);
        pool.forRows(outH, (y0, y1) -> rows(src, out, y0, y1));
        return out;
    }

    private void rows(Tensor src, Tensor out, int y0, int y1) {
        int cout = outChannels;
        int cin = inChannels;
        int k = kernel;
        float[] in = src.data;
        int srcW = src.width;
        float[] acc0 = new float[cout];
        float[] acc1 = new float[cout];
        float[] acc2 = new float[cout];
        float[] acc3 = new float[cout];
        for (int y = y0; y < y1; y++) {
            int x = 0;
            for (; x + 4 <= out.width; x += 4) {
                System.arraycopy(bias, 0, acc0, 0, cout);
                System.arraycopy(bias, 0, acc1, 0, cout);
                System.arraycopy(bias, 0, acc2, 0, cout);
                System.arraycopy(bias, 0, acc3, 0, cout);
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        int i0 = ((y + ky) * srcW + x + kx) * cin;
                        int w0 = (ky * k + kx) * cin;
                        for (int ci = 0; ci < cin; ci++) {
                            float a0 = in[i0 + ci];
                            float a1 = in[i0 + cin + ci];
                            float a2 = in[i0 + 2 * cin + ci];
                            float a3 = in[i0 + 3 * cin + ci];
                            float[] w = rows[w0 + ci];
                            for (int co = 0; co < cout; co++) {
                                float wv = w[co];
                                acc0[co] += a0 * wv;
                                acc1[co] += a1 * wv;
                                acc2[co] += a2 * wv;
                                acc3[co] += a3 * wv;
                            }
                        }
                    }
                }
                int o = (y * out.width + x) * cout;
                store(acc0, out.data, o);
                store(acc1, out.data, o + cout);
                store(acc2, out.data, o + 2 * cout);
                store(acc3, out.data, o + 3 * cout);
            }
            for (; x < out.width; x++) {
                System.arraycopy(bias, 0, acc0, 0, cout);
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        int i0 = ((y + ky) * srcW + x + kx) * cin;
                        int w0 = (ky * k + kx) * cin;
                        for (int ci = 0; ci < cin; ci++) {
                            float a0 = in[i0 + ci];
                            float[] w = rows[w0 + ci];
                            for (int co = 0; co < cout; co++) acc0[co] += a0 * w[co];
                        }
                    }
                }
                store(acc0, out.data, (y * out.width + x) * cout);
            }
        }
    }

    private void store(float[] acc, float[] out, int offset) {
        if (relu) {
            for (int i = 0; i < acc.length; i++) acc[i] = Math.max(0f, acc[i]);
        }
        System.arraycopy(acc, 0, out, offset, acc.length);
    }

    /**
     * Nearest-neighbour upsampling by {@code factor} followed by this convolution ("same" padding), computed at
     * the low resolution: each of the factor² output phases sees the low-resolution pixels through its own
     * small kernel, built by summing the taps that land on the same source pixel. The result is a convolution
     * with factor²·out channels, then a pixel shuffle — the same sums as upsampling first, at 1/factor² of the
     * memory and without the copies.
     */
    UpsampledConv afterUpsampling(int factor) {
        if (pad != radius()) throw new IllegalArgumentException("only a 'same' convolution can be fused with upsampling");
        int r = radius();
        int reach = Math.max(-Math.floorDiv(-r, factor), Math.floorDiv(factor - 1 + r, factor));
        int k2 = 2 * reach + 1;
        int phases = factor * factor;
        float[] fused = new float[k2 * k2 * inChannels * phases * outChannels];
        float[] fusedBias = new float[phases * outChannels];
        for (int py = 0; py < factor; py++) {
            for (int px = 0; px < factor; px++) {
                int phase = py * factor + px;
                for (int co = 0; co < outChannels; co++) fusedBias[phase * outChannels + co] = bias[co];
                for (int ky = 0; ky < kernel; ky++) {
                    int dy = Math.floorDiv(py + ky - r, factor) + reach;
                    for (int kx = 0; kx < kernel; kx++) {
                        int dx = Math.floorDiv(px + kx - r, factor) + reach;
                        for (int ci = 0; ci < inChannels; ci++) {
                            float[] w = rows[(ky * kernel + kx) * inChannels + ci];
                            int base = ((dy * k2 + dx) * inChannels + ci) * phases * outChannels + phase * outChannels;
                            for (int co = 0; co < outChannels; co++) fused[base + co] += w[co];
                        }
                    }
                }
            }
        }
        Conv2d low = of(fused, fusedBias, k2, inChannels, phases * outChannels, true, relu);
        return new UpsampledConv(low, factor, outChannels);
    }

    /** The fused form of UpSampling2D(nearest) → Conv2D: a low-resolution convolution and a pixel shuffle. */
    record UpsampledConv(Conv2d low, int factor, int outChannels) {

        Tensor apply(Tensor input, RowPool pool) {
            Tensor phases = low.apply(input, pool);
            Tensor out = new Tensor(input.height * factor, input.width * factor, outChannels);
            for (int y = 0; y < input.height; y++) {
                for (int x = 0; x < input.width; x++) {
                    int from = (y * input.width + x) * phases.channels;
                    for (int py = 0; py < factor; py++) {
                        for (int px = 0; px < factor; px++) {
                            int to = ((y * factor + py) * out.width + x * factor + px) * outChannels;
                            System.arraycopy(phases.data, from + (py * factor + px) * outChannels, out.data, to, outChannels);
                        }
                    }
                }
            }
            return out;
        }

        /** Radius in low-resolution pixels. */
        int radius() {
            return low.radius();
        }
    }
}
