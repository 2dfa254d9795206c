package dev.hearth.runners.speech;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.TestArtifacts;
import dev.hearth.artifacts.ResolvingRunnerFactory;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * FreeTTS 1.2.2, fetched from Maven Central through the artifact cache and loaded in its own class loader, speaking
 * real sentences: the WAV must parse with the voice's format, last as long as the words take at the asked speed,
 * carry sound (not silence), and follow the asked pitch.
 */
public class SpeechTest {

    public static final String RUNTIME = "maven:net.sf.sociaal:freetts:1.2.2";
    public static final String SENTENCE = "The quick brown fox jumps over the lazy dog.";
    static Runner runner;

    @BeforeAll
    static void boot() throws Exception {
        TestArtifacts.resolve(RUNTIME);
        RunnerSpec spec = ResolvingRunnerFactory.resolve(TestArtifacts.cache(),
                new RunnerSpec("freetts", JsonNodeFactory.instance.objectNode().put("runtime", RUNTIME).put("max_chars", 200)), s -> { });
        runner = new SpeechRunnerFactory().boot(spec, s -> { });
    }

    @AfterAll
    static void close() throws Exception {
        if (runner != null) runner.close();
    }

    /** A decoded WAV: its format and its samples as 16-bit values. */
    public record Wav(AudioFormat format, short[] samples) {
        public double seconds() {
            return samples.length / format.getSampleRate();
        }

        public static Wav parse(byte[] bytes) throws Exception {
            assertThat(new String(bytes, 0, 4)).isEqualTo("RIFF");
            assertThat(new String(bytes, 8, 4)).isEqualTo("WAVE");
            try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(bytes))) {
                AudioFormat f = in.getFormat();
                byte[] pcm = in.readAllBytes();
                short[] s = new short[pcm.length / 2];
                for (int i = 0; i < s.length; i++) {
                    s[i] = f.isBigEndian() ? (short) (pcm[2 * i] << 8 | pcm[2 * i + 1] & 0xff) : (short) (pcm[2 * i + 1] << 8 | pcm[2 * i] & 0xff);
                }
                return new Wav(f, s);
            }
        }

        /** Root-mean-square level on the 16-bit scale. */
        public double rms() {
            double sum = 0;
            for (short v : samples) sum += (double) v * v;
            return Math.sqrt(sum / Math.max(1, samples.length));
        }

        /**
         * The median fundamental frequency of the loud 40 ms frames, from the autocorrelation peak between 60 and
         * 400 Hz: a rough pitch tracker, enough to tell a 100 Hz voice from a 200 Hz one.
         */
        public double medianPitchHz() {
            int rate = (int) format.getSampleRate();
            int frame = rate / 25;
            double loud = rms();
            List<Double> pitches = new ArrayList<>();
            for (int start = 0; start + frame <= samples.length; start += frame) {
                double energy = 0;
                for (int i = start; i < start + frame; i++) energy += (double) samples[i] * samples[i];
                if (Math.sqrt(energy / frame) < loud) continue;
                int bestLag = 0;
                double best = 0;
                for (int lag = rate / 400; lag <= rate / 60; lag++) {
                    double c = 0;
                    for (int i = start; i + lag < start + frame; i++) c += (double) samples[i] * samples[i + lag];
                    if (c > best) {
                        best = c;
                        bestLag = lag;
                    }
                }
                if (bestLag > 0) pitches.add((double) rate / bestLag);
            }
            assertThat(pitches).as("voiced frames").hasSizeGreaterThan(5);
            return pitches.stream().sorted().toList().get(pitches.size() / 2);
        }
    }

    static Wav speak(ObjectNode params) throws Exception {
        RunOutput out = runner.run(new RunInput("test", params, null));
        assertThat(out).isInstanceOf(RunOutput.Media.class);
        assertThat(((RunOutput.Media) out).contentType()).isEqualTo("audio/wav");
        return Wav.parse(((RunOutput.Media) out).bytes());
    }

    static ObjectNode text(String text) {
        return JsonNodeFactory.instance.objectNode().put("text", text);
    }

    @Test
    void aSentenceBecomesSixteenKilohertzMonoSpeechOfAPlausibleLength() throws Exception {
        Wav wav = speak(text(SENTENCE));
        assertThat(wav.format().getSampleRate()).isEqualTo(16000f);
        assertThat(wav.format().getChannels()).isEqualTo(1);
        assertThat(wav.format().getSampleSizeInBits()).isEqualTo(16);
        // nine words at 150 words a minute: about 3.6 s, with pauses
        assertThat(wav.seconds()).isBetween(2.0, 6.0);
        assertThat(wav.rms()).as("sound, not silence").isGreaterThan(500);
    }

    @Test
    void speedAndVoiceAndPitchChangeTheSound() throws Exception {
        Wav normal = speak(text(SENTENCE));
        Wav fast = speak(text(SENTENCE).put("speed", 2));
        Wav slow = speak(text(SENTENCE).put("speed", 0.5));
        assertThat(fast.seconds()).isLessThan(normal.seconds() * 0.7);
        assertThat(slow.seconds()).isGreaterThan(normal.seconds() * 1.5);

        Wav eightKilohertz = speak(text(SENTENCE).put("voice", "kevin"));
        assertThat(eightKilohertz.format().getSampleRate()).isEqualTo(8000f);
        assertThat(eightKilohertz.seconds()).isBetween(normal.seconds() * 0.8, normal.seconds() * 1.25);

        double low = speak(text(SENTENCE).put("pitch", 100)).medianPitchHz();
        double high = speak(text(SENTENCE).put("pitch", 200)).medianPitchHz();
        assertThat(low).isBetween(70.0, 140.0);
        assertThat(high).isGreaterThan(low * 1.5);
    }

    @Test
    void longerTextTakesLonger() throws Exception {
        Wav one = speak(text("Hello."));
        Wav three = speak(text("Hello. Hearth speaks on a plain processor. Every word here is spoken."));
        assertThat(three.seconds()).isGreaterThan(one.seconds() * 3);
    }

    @Test
    void theRuntimeComesFromTheArtifactCacheNotHearthsClassPath() {
        Speaker speaker = ((SpeechRunner) runner).speaker();
        assertThat(speaker.getClass().getName()).isEqualTo(SpeechRunnerFactory.BRIDGE);
        assertThat(speaker.getClass().getClassLoader()).isInstanceOf(dev.hearth.artifacts.RuntimeClassLoader.class);
        assertThat(speaker.voices()).containsExactly("kevin", "kevin16");
    }

    @Test
    void badTextIsRefusedWithAReason() {
        assertThatThrownBy(() -> runner.run(new RunInput("t", text("   "), null)))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'text' is empty");
        assertThatThrownBy(() -> runner.run(new RunInput("t", text("a".repeat(201)), null)))
                .isInstanceOf(RunFailure.class).hasMessageContaining("at most 200");
        assertThatThrownBy(() -> runner.run(new RunInput("t", text(SENTENCE).put("voice", "alan"), null)))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'voice'");
        assertThatThrownBy(() -> runner.run(new RunInput("t", text(SENTENCE).put("speed", 9), null)))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'speed'");
    }

    @Test
    void textWithNothingSpeakableIsRefused() {
        assertThatThrownBy(() -> runner.run(new RunInput("t", text("\uD83D\uDE00 \u4F60\u597D"), null)))
                .isInstanceOf(RunFailure.class).hasMessageContaining("'text'");
    }
}
