package dev.hearth.runners.speech.codecs;

import dev.hearth.runners.speech.AudioDecoder;

import java.io.IOException;
import java.util.Arrays;

/**
 * Frames appended as they are decoded, each stored as the mean of its channels, up to a limit in seconds: the
 * decoders stop at the limit instead of holding the whole of an over-long recording in memory.
 */
final class MonoSamples {

    private final double maxSeconds;
    private float[] data = new float[1 << 16];
    private int size;
    private float rate;
    private int channels;
    private long maxFrames = Long.MAX_VALUE;
    private boolean cut;

    MonoSamples(double maxSeconds) {
        this.maxSeconds = maxSeconds;
    }

    /** The stream's format; a later change of rate or channels within one file is refused. */
    void format(float sampleRate, int channelCount) throws IOException {
        if (sampleRate <= 0 || channelCount < 1) throw new IOException("it declares " + sampleRate + " Hz and " + channelCount + " channels");
        if (rate == 0) {
            rate = sampleRate;
            channels = channelCount;
            // one sample past the limit, so that "longer than the limit" is seen and said
            maxFrames = (long) Math.ceil(maxSeconds * sampleRate) + 1;
        } else if (rate != sampleRate) {
            throw new IOException("its sample rate changes from " + rate + " Hz to " + sampleRate + " Hz mid-stream");
        }
    }

    /** Interleaved 16-bit frames; false once the limit is reached (the rest is dropped). */
    boolean addInterleaved(short[] samples, int length, int channelCount) {
        int frames = length / channelCount;
        for (int i = 0; i < frames; i++) {
            if (full()) return false;
            int sum = 0;
            for (int c = 0; c < channelCount; c++) sum += samples[i * channelCount + c];
            push(sum / (32768f * channelCount));
        }
        return !full();
    }

    /** Planar float frames: {@code pcm[channel][offset[channel] + i]} for {@code i < frames}. */
    boolean addPlanar(float[][] pcm, int[] offset, int channelCount, int frames) {
        for (int i = 0; i < frames; i++) {
            if (full()) return false;
            float sum = 0;
            for (int c = 0; c < channelCount; c++) sum += pcm[c][offset[c] + i];
            push(sum / channelCount);
        }
        return !full();
    }

    private boolean full() {
        if (size >= maxFrames) cut = true;
        return cut;
    }

    private void push(float v) {
        if (size == data.length) data = Arrays.copyOf(data, data.length * 2);
        data[size++] = v;
    }

    int size() {
        return size;
    }

    AudioDecoder.Decoded result() {
        return new AudioDecoder.Decoded(Arrays.copyOf(data, size), rate, channels, cut);
    }
}
