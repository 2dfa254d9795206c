package dev.hearth.runners.speech;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * pocketsphinx booted exactly as the catalog's {@code speech-to-text} entry names it (six Debian packages and the
 * en-us model fetched from the Debian archive into the test cache, loaded by absolute path), hearing sentences
 * FreeTTS speaks: most words must come back, at 16 kHz as spoken and after resampling from 8 kHz and 44.1 kHz
 * stereo; word timings are ordered and inside the recording; bad audio is a RunFailure (422) with advice.
 */
public class TranscriptionTest {

    public static final List<String> SENTENCES = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "Please call me back after the meeting tomorrow morning.",
            "The weather will be sunny with a light wind from the north.");
    static Runner tts;
    static Runner stt;

    /** The runner section of the shipped catalog entry. */
    public static ObjectNode catalogRunner() throws Exception {
        try (InputStream in = TranscriptionTest.class.getResourceAsStream("/models/speech-to-text.yaml")) {
            JsonNode entry = new ObjectMapper(new YAMLFactory()).readTree(in);
            return (ObjectNode) entry.get("runner");
        }
    }

    @BeforeAll
    static void boot() throws Exception {
        TestArtifacts.resolve(SpeechTest.RUNTIME);
        tts = new SpeechRunnerFactory().boot(ResolvingRunnerFactory.resolve(TestArtifacts.cache(),
                new RunnerSpec("freetts", JsonNodeFactory.instance.objectNode().put("runtime", SpeechTest.RUNTIME)), s -> { }), s -> { });
        ObjectNode params = catalogRunner();
        TestArtifacts.resolve(params.get("dictionary").asText());
        RunnerSpec spec = ResolvingRunnerFactory.resolve(TestArtifacts.cache(), new RunnerSpec("pocketsphinx", params), s -> System.out.println("[stt] " + s));
        long t0 = System.nanoTime();
        stt = new TranscriptionRunnerFactory().boot(spec, s -> System.out.println("[stt] " + s));
        System.out.printf(Locale.ROOT, "[stt] boot from the cache: %.2f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void close() throws Exception {
        if (stt != null) stt.close();
        if (tts != null) tts.close();
    }

    static byte[] speak(String text, String voice) throws Exception {
        RunOutput out = tts.run(new RunInput("t", JsonNodeFactory.instance.objectNode().put("text", text).put("voice", voice), null));
        return ((RunOutput.Media) out).bytes();
    }

    static JsonNode transcribe(byte[] wav) throws Exception {
        String b64 = Base64.getEncoder().encodeToString(wav);
        return ((RunOutput.Json) stt.run(new RunInput("t", JsonNodeFactory.instance.objectNode().put("audio", "data:audio/wav;base64," + b64), null))).body();
    }

    static List<String> words(String text) {
        return Arrays.stream(text.toLowerCase(Locale.ROOT).replaceAll("[^a-z' ]", " ").trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    /** Word error rate: the word-level edit distance over the reference's length. */
    public static double wer(String reference, String hypothesis) {
        List<String> r = words(reference), h = words(hypothesis);
        int[][] d = new int[r.size() + 1][h.size() + 1];
        for (int i = 0; i <= r.size(); i++) d[i][0] = i;
        for (int j = 0; j <= h.size(); j++) d[0][j] = j;
        for (int i = 1; i <= r.size(); i++) {
            for (int j = 1; j <= h.size(); j++) {
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + (r.get(i - 1).equals(h.get(j - 1)) ? 0 : 1));
            }
        }
        return d[r.size()][h.size()] / (double) r.size();
    }

    /** The share of the reference's words that the hypothesis contains. */
    public static double survived(String reference, String hypothesis) {
        List<String> h = new ArrayList<>(words(hypothesis));
        int kept = 0;
        for (String w : words(reference)) if (h.remove(w)) kept++;
        return kept / (double) words(reference).size();
    }

    @Test
    void spokenSentencesComeBackWithMostOfTheirWords() throws Exception {
        double totalWer = 0;
        for (String sentence : SENTENCES) {
            JsonNode r = transcribe(speak(sentence, "kevin16"));
            double wer = wer(sentence, r.get("text").asText());
            totalWer += wer;
            System.out.printf(Locale.ROOT, "[stt] WER %.2f  \"%s\" → \"%s\"%n", wer, sentence, r.get("text").asText());
            assertThat(survived(sentence, r.get("text").asText())).as(sentence + " → " + r.get("text")).isGreaterThanOrEqualTo(0.6);
        }
        System.out.printf(Locale.ROOT, "[stt] mean WER over %d FreeTTS sentences: %.2f%n", SENTENCES.size(), totalWer / SENTENCES.size());
    }

    @Test
    void otherRatesAndStereoAreResampledToSixteenKilohertzMono() throws Exception {
        String sentence = SENTENCES.getFirst();
        // FreeTTS's 8 kHz voice: upsampled
        JsonNode eight = transcribe(speak(sentence, "kevin"));
        System.out.println("[stt] 8 kHz → " + eight.get("text"));
        assertThat(survived(sentence, eight.get("text").asText())).isGreaterThanOrEqualTo(0.6);
        // the 16 kHz voice as 44.1 kHz stereo: downsampled and mixed down
        SpeechTest.Wav wav = SpeechTest.Wav.parse(speak(sentence, "kevin16"));
        JsonNode cd = transcribe(stereo44k(wav));
        System.out.println("[stt] 44.1 kHz stereo → " + cd.get("text"));
        assertThat(survived(sentence, cd.get("text").asText())).isGreaterThanOrEqualTo(0.6);
        assertThat(cd.get("duration").asDouble()).isCloseTo(wav.seconds(), org.assertj.core.data.Offset.offset(0.05));
    }

    @Test
    void wordTimingsAreOrderedAndInsideTheRecording() throws Exception {
        byte[] audio = speak(SENTENCES.get(1), "kevin16");
        double seconds = SpeechTest.Wav.parse(audio).seconds();
        JsonNode r = transcribe(audio);
        assertThat(r.get("duration").asDouble()).isCloseTo(seconds, org.assertj.core.data.Offset.offset(0.02));
        JsonNode ws = r.get("words");
        assertThat(ws.size()).isGreaterThanOrEqualTo(5);
        double previousEnd = 0;
        List<String> heard = new ArrayList<>();
        for (JsonNode w : ws) {
            double start = w.get("start").asDouble(), end = w.get("end").asDouble();
            assertThat(start).as(w.toString()).isGreaterThanOrEqualTo(previousEnd - 1e-9);
            assertThat(end).as(w.toString()).isGreaterThan(start).isLessThanOrEqualTo(seconds + 1e-9);
            previousEnd = end;
            heard.add(w.get("word").asText());
        }
        // the words with timings are the transcript's words
        assertThat(String.join(" ", heard)).isEqualTo(r.get("text").asText());
    }

    @Test
    void twoCallsAtOnceEachGetADecoder() throws Exception {
        byte[] a = speak(SENTENCES.get(0), "kevin16");
        byte[] b = speak(SENTENCES.get(2), "kevin16");
        String expectA = transcribe(a).get("text").asText();
        String expectB = transcribe(b).get("text").asText();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                byte[] audio = i % 2 == 0 ? a : b;
                results.add(pool.submit((Callable<String>) () -> transcribe(audio).get("text").asText()));
            }
            for (int i = 0; i < results.size(); i++) assertThat(results.get(i).get()).isEqualTo(i % 2 == 0 ? expectA : expectB);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badAudioIsRefusedWithAdvice() throws Exception {
        // an MP3 frame header, then zeros: one silent frame and 3.7 KB that are not MP3
        byte[] mp3 = new byte[4096];
        mp3[0] = (byte) 0xFF;
        mp3[1] = (byte) 0xFB;
        mp3[2] = (byte) 0x90;
        assertThatThrownBy(() -> transcribe(mp3)).isInstanceOf(RunFailure.class).hasMessageContaining("not a readable MP3");
        byte[] real = AudioDecodingTest.fixture("sentence-16k-mono.mp3");
        assertThatThrownBy(() -> transcribe(Arrays.copyOf(real, real.length - 100))).isInstanceOf(RunFailure.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> transcribe("not audio at all".getBytes())).isInstanceOf(RunFailure.class).hasMessageContaining("send WAV, MP3, Ogg Vorbis, FLAC");
        assertThatThrownBy(() -> stt.run(new RunInput("t", JsonNodeFactory.instance.objectNode(), null))).isInstanceOf(RunFailure.class)
                .hasMessageContaining("'audio' is required");
    }

    @Test
    void mp3OggAndFlacMadeFromTheVoiceComeBackWithMostOfTheirWords() throws Exception {
        String sentence = SENTENCES.getFirst();
        for (String name : new String[]{"sentence-16k-mono.mp3", "sentence-44k-stereo.mp3", "sentence-16k-mono.ogg", "sentence-44k-stereo.ogg", "sentence-16k-mono.flac"}) {
            JsonNode r = transcribe(AudioDecodingTest.fixture(name));
            String text = r.get("text").asText();
            System.out.printf(Locale.ROOT, "[stt] %-24s WER %.2f → \"%s\"%n", name, wer(sentence, text), text);
            assertThat(survived(sentence, text)).as(name + " → " + text).isGreaterThanOrEqualTo(0.6);
            assertThat(r.get("duration").asDouble()).as(name).isBetween(2.7, 3.1);
            for (JsonNode w : r.get("words")) assertThat(w.get("end").asDouble()).isLessThanOrEqualTo(r.get("duration").asDouble());
        }
    }

    /** Five sentences with 1.5 s of silence after each (1 s before the first): 20-odd seconds, over the catalog's 15 s. */
    record LongRecording(byte[] wav, List<String> sentences, List<double[]> spans, double seconds) {
    }

    static final List<String> LONG_SENTENCES = List.of(SENTENCES.get(0), SENTENCES.get(1), SENTENCES.get(2),
            "I would like a cup of coffee with milk.", "The children are playing in the garden.");

    static LongRecording longRecording() throws Exception {
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        List<double[]> spans = new ArrayList<>();
        int rate = 16_000;
        pcm.writeBytes(new byte[rate * 2]);
        for (String sentence : LONG_SENTENCES) {
            short[] s = SpeechTest.Wav.parse(speak(sentence, "kevin16")).samples();
            double at = pcm.size() / 2.0 / rate;
            spans.add(new double[]{at, at + s.length / (double) rate});
            for (short v : s) {
                pcm.write(v & 0xff);
                pcm.write((v >> 8) & 0xff);
            }
            pcm.writeBytes(new byte[(int) (rate * 1.5) * 2]);
        }
        byte[] bytes = pcm.toByteArray();
        return new LongRecording(wav(bytes, new AudioFormat(rate, 16, 1, true, false)), LONG_SENTENCES, spans, bytes.length / 2.0 / rate);
    }

    @Test
    void aLongRecordingIsSplitAtItsPausesAndItsWordsKeepTheRecordingsTime() throws Exception {
        LongRecording rec = longRecording();
        assertThat(rec.seconds()).isGreaterThan(catalogRunner().get("split_above_seconds").asDouble());
        long t0 = System.nanoTime();
        JsonNode r = transcribe(rec.wav());
        double took = (System.nanoTime() - t0) / 1e9;
        JsonNode segments = r.get("segments");
        System.out.printf(Locale.ROOT, "[stt] %.1f s in %d segments, %.2f s (RTF %.2f): %s%n", rec.seconds(), segments.size(), took, took / rec.seconds(), segments);
        // one stretch per sentence: the 1.5 s pauses split, the sentences' own short pauses do not
        assertThat(segments.size()).as(segments.toString()).isEqualTo(rec.sentences().size());
        double previousEnd = 0;
        for (int i = 0; i < segments.size(); i++) {
            JsonNode seg = segments.get(i);
            double start = seg.get("start").asDouble(), end = seg.get("end").asDouble();
            double[] spoken = rec.spans().get(i);
            assertThat(start).as(seg.toString()).isGreaterThanOrEqualTo(previousEnd).isLessThan(end);
            assertThat(end).isLessThanOrEqualTo(r.get("duration").asDouble());
            // the stretch holds its sentence and little of the silence around it (FreeTTS's own WAV starts and ends
            // with a few tenths of a second of quiet, so the speech itself lies inside the spoken span)
            assertThat(start).as("segment %d starts by its sentence at %.2f s", i, spoken[0]).isBetween(spoken[0] - 0.5, spoken[0] + 0.4);
            assertThat(end).as("segment %d ends by its sentence at %.2f s", i, spoken[1]).isBetween(spoken[1] - 0.4, spoken[1] + 0.5);
            assertThat(survived(rec.sentences().get(i), seg.get("text").asText())).as(seg.toString()).isGreaterThanOrEqualTo(0.5);
            previousEnd = end;
        }
        // every word is timed inside the sentence it came from, in the whole recording's time
        double previous = 0;
        List<String> heard = new ArrayList<>();
        for (JsonNode w : r.get("words")) {
            double start = w.get("start").asDouble(), end = w.get("end").asDouble();
            assertThat(start).as(w.toString()).isGreaterThanOrEqualTo(previous - 1e-9);
            assertThat(end).isGreaterThan(start).isLessThanOrEqualTo(r.get("duration").asDouble());
            double mid = (start + end) / 2;
            assertThat(rec.spans()).as("%s lies in a sentence", w).anySatisfy(span -> assertThat(mid).isBetween(span[0] - 0.1, span[1] + 0.1));
            previous = end;
            heard.add(w.get("word").asText());
        }
        assertThat(String.join(" ", heard)).isEqualTo(r.get("text").asText());
        String all = String.join(" ", rec.sentences());
        System.out.printf(Locale.ROOT, "[stt] split by the VAD: WER %.2f → \"%s\"%n", wer(all, r.get("text").asText()), r.get("text").asText());
        assertThat(survived(all, r.get("text").asText())).isGreaterThanOrEqualTo(0.6);

        // what the split costs and what it changes: the VAD alone, and the same recording decoded whole
        SpeechAudio.Samples samples = SpeechAudio.read(rec.wav(), "audio", 600, 16_000, AudioDecoders.none());
        long v0 = System.nanoTime();
        ((TranscriptionRunner) stt).stretches(samples);
        double vad = (System.nanoTime() - v0) / 1e9;
        ObjectNode whole = catalogRunner().put("split_above_seconds", 100_000);
        try (Runner unsplit = new TranscriptionRunnerFactory().boot(ResolvingRunnerFactory.resolve(TestArtifacts.cache(), new RunnerSpec("pocketsphinx", whole), s -> { }), s -> { })) {
            long w0 = System.nanoTime();
            String text = ((RunOutput.Json) unsplit.run(new RunInput("t", JsonNodeFactory.instance.objectNode()
                    .put("audio", Base64.getEncoder().encodeToString(rec.wav())), null))).body().get("text").asText();
            System.out.printf(Locale.ROOT, "[stt] VAD alone: %.3f s for %.1f s (%.0fx real time); decoded whole: %.2f s, WER %.2f → \"%s\"%n",
                    vad, rec.seconds(), rec.seconds() / vad, (System.nanoTime() - w0) / 1e9, wer(all, text), text);
        }
    }

    @Test
    void aLongSilenceHasNoStretchesAndNoWords() throws Exception {
        JsonNode r = transcribe(silence(30, 16000));
        assertThat(r.get("text").asText()).isEmpty();
        assertThat(r.get("segments").size()).isZero();
        assertThat(r.get("duration").asDouble()).isEqualTo(30.0);
    }

    @Test
    void recordingsOverTheLimitAreRefusedBeforeDecoding() throws Exception {
        // 601 s of 8 kHz 8-bit silence: 4.8 MB, over the catalog's 600 s
        assertThatThrownBy(() -> transcribe(silence(601, 8000))).isInstanceOf(RunFailure.class)
                .hasMessageContaining("lasts 601.0 s").hasMessageContaining("at most 600 s");
        // silence is not an error: an empty transcript
        assertThat(transcribe(silence(2, 16000)).get("text").asText()).isEmpty();
    }

    static byte[] silence(int seconds, int rate) throws Exception {
        AudioFormat f = new AudioFormat(AudioFormat.Encoding.PCM_UNSIGNED, rate, 8, 1, 1, rate, false);
        byte[] pcm = new byte[seconds * rate];
        Arrays.fill(pcm, (byte) 0x80);
        return wav(pcm, f);
    }

    static byte[] wav(byte[] pcm, AudioFormat f) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(pcm), f, pcm.length / f.getFrameSize())) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
        }
        return out.toByteArray();
    }

    /** A 16 kHz recording as 44.1 kHz 16-bit stereo (linear interpolation; the two channels differ in level). */
    static byte[] stereo44k(SpeechTest.Wav wav) throws Exception {
        short[] s = wav.samples();
        int n = (int) (s.length * 44100L / 16000);
        byte[] pcm = new byte[n * 4];
        for (int i = 0; i < n; i++) {
            double x = i * 16000.0 / 44100;
            int j = (int) x;
            double frac = x - j;
            double v = s[Math.min(j, s.length - 1)] * (1 - frac) + s[Math.min(j + 1, s.length - 1)] * frac;
            short left = (short) Math.round(v * 0.9), right = (short) Math.round(v * 0.6);
            pcm[4 * i] = (byte) left;
            pcm[4 * i + 1] = (byte) (left >> 8);
            pcm[4 * i + 2] = (byte) right;
            pcm[4 * i + 3] = (byte) (right >> 8);
        }
        return wav(pcm, new AudioFormat(44100, 16, 2, true, false));
    }

    @Test
    void elsewhereThanLinuxTheBootSaysWhatIsMissingBeforeDownloadingAnything() throws Exception {
        assertThat(TranscriptionRunnerFactory.unavailableOn("Linux", "amd64")).isNull();
        assertThat(TranscriptionRunnerFactory.unavailableOn("Mac OS X", "aarch64")).contains("Debian's Linux packages").contains("Mac OS X");
        // through the artifact cache: a factory unavailable here fails before its deb: sources are resolved
        java.nio.file.Path empty = java.nio.file.Files.createTempDirectory("stt-no-fetch");
        var cache = new dev.hearth.artifacts.ArtifactCache(empty, java.net.URI.create("http://127.0.0.1:9"), java.net.URI.create("http://127.0.0.1:9"),
                java.net.URI.create("http://127.0.0.1:9"), java.time.Duration.ofSeconds(2));
        dev.hearth.runners.RunnerFactory elsewhere = new dev.hearth.runners.RunnerFactory() {
            public String type() {
                return TranscriptionRunnerFactory.TYPE;
            }

            public Runner boot(RunnerSpec spec, dev.hearth.runners.BootProgress progress) {
                throw new AssertionError("booted on a machine it cannot run on");
            }

            @Override
            public String unavailableHere() {
                return TranscriptionRunnerFactory.unavailableOn("Mac OS X", "aarch64");
            }
        };
        assertThatThrownBy(() -> new dev.hearth.artifacts.ResolvingRunnerFactory(elsewhere, cache).boot(new RunnerSpec("pocketsphinx", catalogRunner()), s -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Mac OS X");
        try (var files = java.nio.file.Files.list(empty)) {
            assertThat(files.toList()).as("nothing fetched").isEmpty();
        }
    }
}
