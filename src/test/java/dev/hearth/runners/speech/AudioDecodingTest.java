package dev.hearth.runners.speech;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.TestArtifacts;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.hearth.artifacts.ResolvingRunnerFactory;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/**
 * The compressed formats of {@code speech-to-text}, decoded by the jars its catalog entry names (JLayer, JOrbis,
 * jFLAC from Maven Central, loaded by their own class loader), on fixtures made from Hearth's own FreeTTS speech
 * (src/test/resources/audio/README.md): each comes out as 16 kHz mono of the original's length with the original's
 * loudness envelope; the format is told by the bytes, not the name; truncated, damaged, random and over-long files
 * are a RunFailure (422) that says what is wrong.
 */
public class AudioDecodingTest {

    static AudioDecoders decoders;
    static SpeechTest.Wav original;

    @BeforeAll
    static void load() throws Exception {
        ObjectNode runner = TranscriptionTest.catalogRunner();
        decoders = AudioDecoders.load(Map.of(
                AudioContainer.MP3, TestArtifacts.resolve(runner.get("mp3_decoder").asText()),
                AudioContainer.OGG_VORBIS, TestArtifacts.resolve(runner.get("vorbis_decoder").asText()),
                AudioContainer.FLAC, TestArtifacts.resolve(runner.get("flac_decoder").asText())));
        // the fixtures' source, spoken again: FreeTTS is deterministic, so this is the WAV they were encoded from
        TestArtifacts.resolve(SpeechTest.RUNTIME);
        try (Runner tts = new SpeechRunnerFactory().boot(ResolvingRunnerFactory.resolve(TestArtifacts.cache(),
                new RunnerSpec("freetts", JsonNodeFactory.instance.objectNode().put("runtime", SpeechTest.RUNTIME)), s -> { }), s -> { })) {
            RunOutput out = tts.run(new RunInput("t", JsonNodeFactory.instance.objectNode().put("text", TranscriptionTest.SENTENCES.getFirst()), null));
            original = SpeechTest.Wav.parse(((RunOutput.Media) out).bytes());
        }
    }

    @AfterAll
    static void close() throws Exception {
        if (decoders != null) decoders.close();
    }

    public static byte[] fixture(String name) throws Exception {
        try (InputStream in = AudioDecodingTest.class.getResourceAsStream("/audio/" + name)) {
            if (in == null) throw new IllegalStateException("no fixture " + name);
            return in.readAllBytes();
        }
    }

    static SpeechAudio.Samples read(byte[] bytes) throws RunFailure {
        return SpeechAudio.read(bytes, "audio", 600, 16_000, decoders);
    }

    @Test
    void theFormatIsToldByTheBytes() throws Exception {
        assertThat(AudioContainer.of(fixture("sentence-16k-mono.mp3"))).isEqualTo(AudioContainer.MP3);
        assertThat(AudioContainer.of(fixture("sentence-44k-stereo.ogg"))).isEqualTo(AudioContainer.OGG_VORBIS);
        assertThat(AudioContainer.of(fixture("sentence-16k-mono.flac"))).isEqualTo(AudioContainer.FLAC);
        assertThat(AudioContainer.of(TranscriptionTest.silence(1, 8000))).isEqualTo(AudioContainer.WAV);
        byte[] opus = Arrays.copyOf("OggS".getBytes(), 64);
        opus[26] = 1;
        opus[27] = 19;
        System.arraycopy("OpusHead".getBytes(), 0, opus, 28, 8);
        assertThat(AudioContainer.of(opus)).isEqualTo(AudioContainer.OGG_OPUS);
        assertThat(AudioContainer.of(new byte[]{(byte) 0xff, (byte) 0xf1, 0x50, (byte) 0x80})).isEqualTo(AudioContainer.AAC);
        assertThat(AudioContainer.of("....ftypM4A ".getBytes())).isEqualTo(AudioContainer.MP4);
        assertThatThrownBy(() -> read(opus)).isInstanceOf(RunFailure.class).hasMessageContaining("Ogg Opus")
                .hasMessageContaining("send WAV, MP3, Ogg Vorbis, FLAC");
    }

    @Test
    void eachFixtureDecodesToTheOriginalsLengthAndLoudness() throws Exception {
        float[] reference = envelope(original.samples(), 16_000);
        for (String name : new String[]{"sentence-16k-mono.mp3", "sentence-44k-stereo.mp3", "sentence-16k-mono.ogg", "sentence-44k-stereo.ogg", "sentence-16k-mono.flac"}) {
            SpeechAudio.Samples s = read(fixture(name));
            assertThat(s.rate()).isEqualTo(16_000);
            assertThat(s.sourceChannels()).as(name).isEqualTo(name.contains("stereo") ? 2 : 1);
            assertThat(s.sourceRate()).as(name).isEqualTo(name.contains("44k") ? 44_100f : 16_000f);
            // MP3 adds the encoder's delay and pads to whole frames: up to a few tenths of a second
            assertThat(s.seconds()).as(name).isCloseTo(original.seconds(), offset(name.endsWith(".mp3") ? 0.15 : 0.01));
            double r = bestCorrelation(reference, envelope(s.pcm(), 16_000));
            System.out.printf(java.util.Locale.ROOT, "[decode] %-24s %.2f s, %.0f Hz, %d ch, envelope correlation %.3f%n", name, s.seconds(), s.sourceRate(), s.sourceChannels(), r);
            assertThat(r).as(name).isGreaterThan(0.9);
        }
    }

    @Test
    void flacIsLosslessSampleForSample() throws Exception {
        SpeechAudio.Samples s = read(fixture("sentence-16k-mono.flac"));
        assertThat(s.pcm()).hasSameSizeAs(original.samples());
        // 16-bit in, float in between, 16-bit out: equal within one step of rounding
        for (int i = 0; i < s.pcm().length; i++) {
            if (Math.abs(s.pcm()[i] - original.samples()[i]) > 1) throw new AssertionError("sample " + i + ": " + s.pcm()[i] + " vs " + original.samples()[i]);
        }
    }

    @Test
    void theStereoFixturesAreTheSameSpeechAsTheMono() throws Exception {
        // the stereo WAV had its channels at 0.9 and 0.6 of the original: the mix-down is 0.75 of the mono's level
        double mono = rms(read(fixture("sentence-16k-mono.ogg")).pcm());
        double stereo = rms(read(fixture("sentence-44k-stereo.ogg")).pcm());
        assertThat(stereo / mono).isCloseTo(0.75, offset(0.08));
    }

    @Test
    void truncatedDamagedAndRandomFilesAreRefusedSayingWhy() throws Exception {
        byte[] mp3 = fixture("sentence-16k-mono.mp3");
        assertThatThrownBy(() -> read(Arrays.copyOf(mp3, mp3.length / 2 + 7))).isInstanceOf(RunFailure.class)
                .hasMessageContaining("not a readable MP3").hasMessageContaining("truncated");
        // cut exactly between two frames: the LAME information frame's count says so (the 44.1 kHz file has one)
        byte[] stereo = fixture("sentence-44k-stereo.mp3");
        int boundary = stereo.length * 2 / 3;
        // the next frame header of this file: sync, MPEG-1 layer III without CRC, 80 kbps at 44.1 kHz
        while (!((stereo[boundary] & 0xff) == 0xff && (stereo[boundary + 1] & 0xff) == 0xfb && (stereo[boundary + 2] & 0xfc) == 0x60)) boundary++;
        byte[] cut = Arrays.copyOf(stereo, boundary);
        assertThatThrownBy(() -> read(cut)).isInstanceOf(RunFailure.class).hasMessageContaining("truncated").hasMessageContaining("frames its header declares");
        byte[] ogg = fixture("sentence-16k-mono.ogg");
        assertThatThrownBy(() -> read(Arrays.copyOf(ogg, ogg.length / 2))).isInstanceOf(RunFailure.class)
                .hasMessageContaining("Ogg Vorbis").hasMessageContaining("truncated");
        byte[] flipped = ogg.clone();
        flipped[ogg.length / 2] ^= 0x5a;
        assertThatThrownBy(() -> read(flipped)).isInstanceOf(RunFailure.class).hasMessageContaining("damaged");
        byte[] flac = fixture("sentence-16k-mono.flac");
        assertThatThrownBy(() -> read(Arrays.copyOf(flac, flac.length / 2))).isInstanceOf(RunFailure.class).hasMessageContaining("FLAC");
        // a valid MP3 frame header, then random bytes: mostly not MP3
        byte[] noise = new byte[20_000];
        new Random(7).nextBytes(noise);
        System.arraycopy(mp3, 0, noise, 0, 4);
        assertThatThrownBy(() -> read(noise)).isInstanceOf(RunFailure.class).hasMessageContaining("MP3");
        // random bytes behind an Ogg signature (a file named .ogg that is not one)
        byte[] fakeOgg = new byte[20_000];
        new Random(8).nextBytes(fakeOgg);
        System.arraycopy("OggS".getBytes(), 0, fakeOgg, 0, 4);
        assertThatThrownBy(() -> read(fakeOgg)).isInstanceOf(RunFailure.class).hasMessageContaining("Ogg");
        byte[] random = new byte[20_000];
        new Random(9).nextBytes(random);
        random[0] = 0x12;
        assertThatThrownBy(() -> read(random)).isInstanceOf(RunFailure.class).hasMessageContaining("not a recording this model reads");
    }

    @Test
    void aCompressedFileOverTheLimitStopsDecodingThere() throws Exception {
        for (String name : new String[]{"sentence-16k-mono.mp3", "sentence-16k-mono.ogg", "sentence-16k-mono.flac"}) {
            assertThatThrownBy(() -> SpeechAudio.read(fixture(name), "audio", 1, 16_000, decoders)).as(name).isInstanceOf(RunFailure.class)
                    .hasMessageContaining("lasts more than 1 s").hasMessageContaining("at most 1 s");
            AudioDecoder.Decoded d = decoders.get(AudioContainer.of(fixture(name))).decode(fixture(name), 1);
            assertThat(d.cutAtLimit()).isTrue();
            assertThat(d.mono().length / d.sampleRate()).as("kept no more than the limit").isLessThanOrEqualTo(1.001f);
        }
    }

    @Test
    void withoutDecodersCompressedFormatsAreRefusedByName() throws Exception {
        assertThatThrownBy(() -> SpeechAudio.read(fixture("sentence-16k-mono.mp3"), "audio", 600, 16_000, AudioDecoders.none()))
                .isInstanceOf(RunFailure.class).hasMessageContaining("is MP3").hasMessageContaining("send WAV");
    }

    /** RMS per 20 ms. */
    static float[] envelope(short[] pcm, int rate) {
        int hop = rate / 50;
        float[] e = new float[pcm.length / hop];
        for (int i = 0; i < e.length; i++) {
            double sum = 0;
            for (int j = 0; j < hop; j++) sum += (double) pcm[i * hop + j] * pcm[i * hop + j];
            e[i] = (float) Math.sqrt(sum / hop);
        }
        return e;
    }

    /** Pearson correlation of two envelopes at the best shift within ±10 steps (200 ms: codec delays). */
    static double bestCorrelation(float[] a, float[] b) {
        double best = -1;
        for (int shift = -10; shift <= 10; shift++) {
            int n = 0;
            double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
            for (int i = 0; i < a.length; i++) {
                int j = i + shift;
                if (j < 0 || j >= b.length) continue;
                n++;
                sa += a[i];
                sb += b[j];
                saa += a[i] * a[i];
                sbb += b[j] * b[j];
                sab += a[i] * b[j];
            }
            double cov = sab - sa * sb / n, va = saa - sa * sa / n, vb = sbb - sb * sb / n;
            best = Math.max(best, cov / Math.sqrt(va * vb));
        }
        return best;
    }

    static double rms(short[] pcm) {
        double sum = 0;
        for (short s : pcm) sum += (double) s * s;
        return Math.sqrt(sum / pcm.length);
    }
}
