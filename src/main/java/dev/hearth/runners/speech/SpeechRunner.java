package dev.hearth.runners.speech;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLClassLoader;

/**
 * {@code text-to-speech}: {@code text} (required), {@code voice}, {@code speed} (1 = the voice's natural 150 words
 * a minute) and {@code pitch} (Hz around which the voice speaks) in, a WAV file (16-bit PCM, mono) out.
 */
final class SpeechRunner implements Runner {

    /** FreeTTS's CMU voices speak at 150 words a minute by default; {@code speed} scales that. */
    static final float NATURAL_WORDS_PER_MINUTE = 150f;

    private final Speaker speaker;
    private final URLClassLoader runtime;
    private final int maxChars;

    SpeechRunner(Speaker speaker, URLClassLoader runtime, int maxChars) {
        this.speaker = speaker;
        this.runtime = runtime;
        this.maxChars = maxChars;
    }

    @Override
    public RunOutput run(RunInput input) throws Exception {
        ObjectNode params = input.params();
        String text = params.path("text").asText("").strip();
        if (text.isEmpty()) throw new RunFailure("'text' is empty: give the words to speak");
        if (text.length() > maxChars) throw new RunFailure("'text' has " + text.length() + " characters; this model speaks at most " + maxChars + " per call");
        String voice = params.path("voice").asText("kevin16");
        if (!speaker.voices().contains(voice)) throw new RunFailure("'voice' must be one of " + speaker.voices() + ", not '" + voice + "'");
        double speed = params.path("speed").asDouble(1.0);
        double pitch = params.path("pitch").asDouble(100);
        if (!(speed >= 0.5 && speed <= 2.0)) throw new RunFailure("'speed' must be between 0.5 and 2");
        if (!(pitch >= 50 && pitch <= 300)) throw new RunFailure("'pitch' must be between 50 and 300 Hz");

        Speaker.Speech speech;
        try {
            speech = speaker.speak(text, voice, (float) (NATURAL_WORDS_PER_MINUTE * speed), (float) pitch);
        } catch (RuntimeException e) {
            // FreeTTS fails only on text its English front end cannot parse: that is the caller's input, not a crash.
            throw new RunFailure("the voice could not speak this text (" + e + ")");
        }
        if (speech.pcm().length == 0 || speech.format() == null) {
            throw new RunFailure("'text' has nothing this English voice can speak (it reads English words, numbers and punctuation)");
        }
        return new RunOutput.Media(wav(speech), "audio/wav");
    }

    /** The samples in a RIFF/WAVE container (the JDK's writer; FreeTTS produces 16-bit signed PCM). */
    static byte[] wav(Speaker.Speech speech) throws IOException {
        long frames = speech.pcm().length / speech.format().getFrameSize();
        ByteArrayOutputStream out = new ByteArrayOutputStream(speech.pcm().length + 64);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(speech.pcm()), speech.format(), frames)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
        }
        return out.toByteArray();
    }

    @Override
    public void close() throws Exception {
        try {
            speaker.close();
        } finally {
            runtime.close();
        }
    }

    Speaker speaker() {
        return speaker;
    }

    @Override
    public String toString() {
        return "freetts " + speaker.voices();
    }
}
