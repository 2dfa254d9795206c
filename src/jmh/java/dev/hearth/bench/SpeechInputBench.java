package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.artifacts.ResolvingRunnerFactory;
import dev.hearth.http.Json;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerSpec;
import dev.hearth.runners.speech.SpeechRunnerFactory;
import dev.hearth.runners.speech.TranscriptionRunnerFactory;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code speech-to-text}'s inputs cost, in process, as a plain program (bench/speech-input.sh): (1) one sentence
 * as WAV and as the MP3, Ogg Vorbis and FLAC files of src/test/resources/audio (made from the same FreeTTS speech),
 * calls alternating between the formats round by round, so decoding's share is the difference to WAV, and the
 * decoders alone (JLayer, JOrbis, jFLAC loaded as the runner loads them, without resampling or recognition); (2) a long
 * recording (FreeTTS sentences with 1.5 s pauses) decoded whole and split by the VAD, alternating too, with each
 * side's word error rate. Wall time and this process's CPU time are both printed: on a shared machine the CPU time
 * is what the work itself costs.
 */
public final class SpeechInputBench {

    static final List<String> SENTENCES = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "Please call me back after the meeting tomorrow morning.",
            "The weather will be sunny with a light wind from the north.",
            "I would like a cup of coffee with milk.",
            "The children are playing in the garden.",
            "We will meet at the station at nine o'clock.",
            "She bought three apples and a loaf of bread.",
            "The train was late because of the snow.");

    public static void main(String[] args) throws Exception {
        Path artifacts = Path.of(args[0]);
        Path fixtures = Path.of(args.length > 1 ? args[1] : "src/test/resources/audio");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        var cache = ImageModelsBench.cache(artifacts);
        RunnerSpec catalog = ImageModelsBench.CATALOG.resolve("speech-to-text").runner();
        ObjectNode wholeParams = ((ObjectNode) catalog.params().deepCopy()).put("split_above_seconds", 1_000_000);
        byte[] sentence;
        byte[] longWav;
        try (Runner tts = ImageModelsBench.boot(cache, "text-to-speech", new SpeechRunnerFactory())) {
            sentence = speak(tts, SENTENCES.getFirst());
            longWav = longRecording(tts);
        }
        Map<String, byte[]> inputs = new LinkedHashMap<>();
        inputs.put("WAV 16 kHz mono (" + sentence.length / 1024 + " KB)", sentence);
        for (String f : List.of("sentence-16k-mono.mp3", "sentence-44k-stereo.mp3", "sentence-16k-mono.ogg", "sentence-44k-stereo.ogg", "sentence-16k-mono.flac")) {
            byte[] b = Files.readAllBytes(fixtures.resolve(f));
            inputs.put(f + " (" + b.length / 1024 + " KB)", b);
        }
        try (Runner split = new ResolvingRunnerFactory(new TranscriptionRunnerFactory(), cache).boot(catalog, s -> { });
             Runner whole = new ResolvingRunnerFactory(new TranscriptionRunnerFactory(), cache).boot(new RunnerSpec(catalog.type(), wholeParams), s -> { })) {
            System.out.println("-- one sentence (2.8 s of speech) per format, " + rounds + " rounds of 2 calls each:");
            Map<String, double[]> totals = new LinkedHashMap<>();
            for (var in : inputs.entrySet()) call(split, in.getValue());
            for (int r = 0; r < rounds; r++) {
                for (var in : inputs.entrySet()) {
                    double[] t = totals.computeIfAbsent(in.getKey(), k -> new double[2]);
                    for (int i = 0; i < 2; i++) {
                        long w = System.nanoTime();
                        double c = ImageModelsBench.cpu();
                        call(split, in.getValue());
                        t[0] += ImageModelsBench.seconds(w);
                        t[1] += ImageModelsBench.cpu() - c;
                    }
                }
            }
            double[] wav = totals.values().iterator().next();
            for (var t : totals.entrySet()) {
                System.out.printf(Locale.ROOT, "%-34s %6.0f ms/call wall, %6.0f ms CPU; CPU vs WAV %.2f%n", t.getKey(),
                        1000 * t.getValue()[0] / (2 * rounds), 1000 * t.getValue()[1] / (2 * rounds), t.getValue()[1] / wav[1]);
            }

            decodersAlone(cache, catalog, fixtures, rounds);

            double seconds = (longWav.length - 44) / 32_000.0;
            String reference = String.join(" ", SENTENCES);
            System.out.printf(Locale.ROOT, "-- %.1f s recording (%d sentences, 1.5 s pauses), %d rounds, whole vs split by the VAD:%n", seconds, SENTENCES.size(), rounds);
            double[] w = new double[2], s = new double[2];
            JsonNode wr = null, sr = null;
            for (int r = 0; r < rounds; r++) {
                long t = System.nanoTime();
                double c = ImageModelsBench.cpu();
                wr = call(whole, longWav);
                w[0] += ImageModelsBench.seconds(t);
                w[1] += ImageModelsBench.cpu() - c;
                t = System.nanoTime();
                c = ImageModelsBench.cpu();
                sr = call(split, longWav);
                s[0] += ImageModelsBench.seconds(t);
                s[1] += ImageModelsBench.cpu() - c;
            }
            System.out.printf(Locale.ROOT, "whole: %.2f s/call wall (RTF %.2f), %.2f s CPU (CPU RTF %.2f), WER %.2f%n", w[0] / rounds, w[0] / rounds / seconds,
                    w[1] / rounds, w[1] / rounds / seconds, wer(reference, wr.get("text").asText()));
            System.out.printf(Locale.ROOT, "split: %.2f s/call wall (RTF %.2f), %.2f s CPU (CPU RTF %.2f), WER %.2f, %d segments%n", s[0] / rounds, s[0] / rounds / seconds,
                    s[1] / rounds, s[1] / rounds / seconds, wer(reference, sr.get("text").asText()), sr.get("segments").size());
            System.out.printf(Locale.ROOT, "split / whole: wall %.2f, CPU %.2f%n", s[0] / w[0], s[1] / w[1]);
        }
    }

    /** Each decoder on its fixtures, 20 decodes per round, in the class loader the runner would give it. */
    static void decodersAlone(dev.hearth.artifacts.ArtifactCache cache, RunnerSpec catalog, Path fixtures, int rounds) throws Exception {
        Map<String, String> bridge = Map.of("mp3_decoder", "Mp3Decoder", "vorbis_decoder", "VorbisDecoder", "flac_decoder", "FlacDecoder");
        Map<String, String> files = new LinkedHashMap<>();
        files.put("sentence-16k-mono.mp3", "mp3_decoder");
        files.put("sentence-44k-stereo.mp3", "mp3_decoder");
        files.put("sentence-16k-mono.ogg", "vorbis_decoder");
        files.put("sentence-44k-stereo.ogg", "vorbis_decoder");
        files.put("sentence-16k-mono.flac", "flac_decoder");
        List<Path> jars = new ArrayList<>();
        for (String param : bridge.keySet()) jars.add(cache.resolve(catalog.params().get(param).asText(), step -> { }));
        System.out.println("-- the decoders alone (2.8 s of audio per file), " + rounds + " rounds of 20 decodes:");
        try (var loader = new dev.hearth.artifacts.RuntimeClassLoader("bench-decoders", jars, "dev.hearth.runners.speech.codecs")) {
            for (var f : files.entrySet()) {
                var decoder = loader.create("dev.hearth.runners.speech.codecs." + bridge.get(f.getValue()), dev.hearth.runners.speech.AudioDecoder.class);
                byte[] file = Files.readAllBytes(fixtures.resolve(f.getKey()));
                for (int i = 0; i < 20; i++) decoder.decode(file, 600);
                double cpu = 0;
                float audio = 0;
                for (int r = 0; r < rounds * 20; r++) {
                    double c = ImageModelsBench.cpu();
                    var d = decoder.decode(file, 600);
                    cpu += ImageModelsBench.cpu() - c;
                    audio += d.mono().length / d.sampleRate();
                }
                System.out.printf(Locale.ROOT, "%-26s %5.1f ms CPU per decode, %4.0fx real time%n", f.getKey(), 1000 * cpu / (rounds * 20), audio / cpu);
            }
        }
    }

    static JsonNode call(Runner runner, byte[] audio) throws Exception {
        return ((RunOutput.Json) runner.run(new RunInput("bench", Json.object().put("audio", Base64.getEncoder().encodeToString(audio)), null))).body();
    }

    static byte[] speak(Runner tts, String text) throws Exception {
        return ((RunOutput.Media) tts.run(new RunInput("bench", Json.object().put("text", text), null))).bytes();
    }

    /** The sentences, each followed by 1.5 s of silence, after 1 s of it: 16 kHz 16-bit mono. */
    static byte[] longRecording(Runner tts) throws Exception {
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        pcm.writeBytes(new byte[32_000]);
        for (String s : SENTENCES) {
            byte[] wav = speak(tts, s);
            try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
                pcm.writeBytes(in.readAllBytes());
            }
            pcm.writeBytes(new byte[48_000]);
        }
        byte[] b = pcm.toByteArray();
        AudioFormat f = new AudioFormat(16_000, 16, 1, true, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b), f, b.length / 2)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
        }
        return out.toByteArray();
    }

    static List<String> words(String text) {
        return Arrays.stream(text.toLowerCase(Locale.ROOT).replaceAll("[^a-z' ]", " ").trim().split("\\s+")).filter(x -> !x.isEmpty()).toList();
    }

    /** Word error rate: the word-level edit distance over the reference's length. */
    static double wer(String reference, String hypothesis) {
        List<String> r = words(reference), h = new ArrayList<>(words(hypothesis));
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
}
