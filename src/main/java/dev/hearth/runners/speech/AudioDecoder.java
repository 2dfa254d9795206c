package dev.hearth.runners.speech;

import java.io.IOException;

/**
 * A decoder for one compressed audio format, loaded from the artifact cache (see {@code RuntimeClassLoader}): the
 * runner sees only this interface and JDK types. Implementations live in {@code dev.hearth.runners.speech.codecs}.
 */
public interface AudioDecoder {

    /**
     * The recording mixed down to one channel, in [-1, 1] at {@code sampleRate}; {@code channels} is how many it had.
     * {@code cutAtLimit}: decoding stopped at the caller's limit, so the recording is longer than {@code mono} says.
     */
    record Decoded(float[] mono, float sampleRate, int channels, boolean cutAtLimit) {
    }

    /**
     * Decodes the whole file, or its first {@code maxSeconds} and then stops (a small compressed file can hold hours of
     * audio, which must not fill the heap).
     *
     * @throws IOException naming what is wrong when the file is damaged, cut short or not of this format
     */
    Decoded decode(byte[] file, double maxSeconds) throws IOException;
}
