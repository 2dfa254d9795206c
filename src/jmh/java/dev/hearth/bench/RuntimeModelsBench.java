package dev.hearth.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.speech.SpeechRunnerFactory;
import dev.hearth.runners.speech.TranscriptionRunnerFactory;
import dev.hearth.runners.vision.BackgroundRemovalRunnerFactory;
import dev.hearth.runners.vision.FaceDetectionRunnerFactory;
import dev.hearth.runners.vision.ObjectDetectionRunnerFactory;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;

/**
 * The models whose runtime is an artifact ({@code text-to-speech}: FreeTTS; {@code face-detection} and
 * {@code background-removal}: OpenCV; {@code object-detection}: TensorFlow Java; {@code speech-to-text}: pocketsphinx from Debian packages), as a plain program like {@link ImageModelsBench}. One run is one model in a
 * fresh JVM: its boot through the artifact folder given (empty: the boot downloads; filled: the boot reads the
 * cache), the heap and resident memory it adds when warm, then the same call in process and over HTTP through a
 * Hearth in this JVM, alternating in rounds so the machine's state weighs on both sides. bench/runtime-models.sh
 * runs each model twice (download, then cache); the numbers are in bench/RUNTIME-MODELS.md.
 */
public final class RuntimeModelsBench {

    public static void main(String[] args) throws Exception {
        String slug = args[0];
        Path artifacts = Path.of(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        RunnerFactory factory = switch (slug) {
            case "text-to-speech" -> new SpeechRunnerFactory();
            case "face-detection" -> new FaceDetectionRunnerFactory();
            case "background-removal" -> new BackgroundRemovalRunnerFactory();
            case "object-detection" -> new ObjectDetectionRunnerFactory();
            case "speech-to-text" -> new TranscriptionRunnerFactory();
            default -> throw new IllegalArgumentException("models: text-to-speech, face-detection, background-removal, object-detection, speech-to-text");
        };
        ObjectNode params = switch (slug) {
            case "text-to-speech" -> Json.object().put("text", SENTENCE);
            case "speech-to-text" -> Json.object().put("audio", spoken(artifacts));
            case "object-detection" -> Json.object().put("image", photo(DOG));
            default -> Json.object().put("image", photo(ASTRONAUT));
        };
        // a speech-to-text call takes a fifth of its audio's length on a quiet core, seconds on a busy one: fewer calls
        int calls = slug.equals("speech-to-text") ? 2 : 20;

        System.gc();
        long heapBefore = ImageModelsBench.heapUsed();
        String rssBefore = ImageModelsBench.procStatus("VmRSS");
        long t = System.nanoTime();
        Runner runner = ImageModelsBench.boot(ImageModelsBench.cache(artifacts), slug, factory);
        double boot = ImageModelsBench.seconds(t);
        t = System.nanoTime();
        runner.run(new RunInput("bench", params, null));
        double firstCall = ImageModelsBench.seconds(t);
        for (int i = 0; i < calls; i++) runner.run(new RunInput("warm-up", params, null));
        System.gc();
        System.out.printf(Locale.ROOT, "%s: boot %.2f s | first call %.3f s | warm: heap %d MB -> %d MB after GC, RSS %s -> %s%n",
                slug, boot, firstCall, heapBefore >> 20, ImageModelsBench.heapUsed() >> 20, rssBefore, ImageModelsBench.procStatus("VmRSS"));

        Path dir = Files.createTempDirectory("hearth-bench");
        try (BenchHearth hearth = new BenchHearth(dir, artifacts)) {
            HttpRequest call = hearth.call(slug, params);
            for (int i = 0; i < calls; i++) hearth.send(call);
            double direct = 0, overHttp = 0;
            for (int r = 0; r < rounds; r++) {
                t = System.nanoTime();
                for (int i = 0; i < calls; i++) runner.run(new RunInput("bench", params, null));
                direct += ImageModelsBench.seconds(t);
                t = System.nanoTime();
                for (int i = 0; i < calls; i++) hearth.send(call);
                overHttp += ImageModelsBench.seconds(t);
            }
            int n = rounds * calls;
            if (slug.equals("speech-to-text")) {
                System.out.printf(Locale.ROOT, "%s: real-time factor in process %.3f (%.2f s of audio per call)%n", slug, direct / n / AUDIO_SECONDS[0], AUDIO_SECONDS[0]);
            }
            System.out.printf(Locale.ROOT, "%s: one client, %d calls each, alternating rounds: in process %.1f ms/call, over HTTP %.1f ms/call; HTTP / in-process throughput = %.2f%n",
                    slug, n, 1000 * direct / n, 1000 * overHttp / n, direct / overHttp);
        } finally {
            runner.close();
            ImageModelsBench.deleteTree(dir);
        }
    }

    static final String SENTENCE = "The quick brown fox jumps over the lazy dog.";
    static final String PARAGRAPH = "The quick brown fox jumps over the lazy dog. Please call me back after the meeting tomorrow morning.";
    static final double[] AUDIO_SECONDS = {0};

    /**
     * Two sentences spoken by FreeTTS from the same artifact folder, as a base64 WAV: about 6 s of 16 kHz speech.
     * Done before the recogniser's measured boot and memory baseline, with FreeTTS closed again, so neither counts
     * FreeTTS's download or load.
     */
    static String spoken(Path artifacts) throws Exception {
        try (Runner tts = ImageModelsBench.boot(ImageModelsBench.cache(artifacts), "text-to-speech", new SpeechRunnerFactory())) {
            byte[] wav = ((RunOutput.Media) tts.run(new RunInput("bench", Json.object().put("text", PARAGRAPH), null))).bytes();
            AUDIO_SECONDS[0] = (wav.length - 44) / 32000.0;
            return Base64.getEncoder().encodeToString(wav);
        }
    }

    /** scikit-image's astronaut portrait (512×512) and darknet's dog.jpg (768×576), unpacked by the tests or .ci/run from Debian. */
    static final Path ASTRONAUT = Path.of("target/debian/python3-skimage/usr/lib/python3/dist-packages/skimage/data/astronaut.png");
    static final Path DOG = Path.of("target/debian/darknet/usr/share/darknet/data/dog.jpg");

    static String photo(Path p) throws Exception {
        if (!Files.isRegularFile(p)) throw new IllegalStateException("no " + p + ": run the vision tests or .ci/run first, which unpack it");
        String type = p.toString().endsWith(".png") ? "image/png" : "image/jpeg";
        return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(p));
    }
}
