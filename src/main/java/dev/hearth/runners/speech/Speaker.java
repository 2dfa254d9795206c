package dev.hearth.runners.speech;

import javax.sound.sampled.AudioFormat;
import java.util.List;

/**
 * A speech synthesiser loaded from the artifact cache (see {@code RuntimeClassLoader}): the runner sees only this
 * interface and JDK types, so nothing of the engine leaks into Hearth's own class loader.
 */
public interface Speaker extends AutoCloseable {

    /** Samples and their format; {@code pcm} is empty when the text had nothing speakable. */
    record Speech(byte[] pcm, AudioFormat format) {
    }

    /** The voice names this engine offers. */
    List<String> voices();

    /**
     * Speaks {@code text} with {@code voice} at {@code wordsPerMinute}, centred on {@code pitchHz}. Safe to call
     * from several threads: each call gets a voice of its own.
     */
    Speech speak(String text, String voice, float wordsPerMinute, float pitchHz);

    @Override
    void close();
}
