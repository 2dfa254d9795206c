package dev.hearth.runners.speech;

import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Boots CMU pocketsphinx, in process, from Debian packages in the artifact cache. Catalog parameters:
 * {@code libraries} (the shared libraries in load order, dependencies first, pocketsphinx last — usually
 * {@code deb:} sources), {@code acoustic_model} (any file of the acoustic model folder, e.g. its {@code mdef}: the
 * folder is what pocketsphinx reads), {@code language_model}, {@code dictionary}, {@code max_seconds} (longest
 * recording one call may send, default 600); optionally {@code mp3_decoder}, {@code vorbis_decoder} and
 * {@code flac_decoder} (the jars of JLayer, JOrbis and jFLAC, usually {@code maven:} sources: a format whose decoder
 * is not named is refused with a 422), {@code vad_model} (silero VAD's ONNX file, usually from npm) and
 * {@code split_above_seconds} (recordings longer than this are split by the VAD, default 15). Anything that stops the
 * boot (another OS, libraries that do not load) is a boot failure, which callers see as a 503 naming what is missing.
 */
public final class TranscriptionRunnerFactory implements RunnerFactory {

    public static final String TYPE = "pocketsphinx";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String unavailableHere() {
        return unavailableOn(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /** Debian's builds are Linux ELF libraries for x86-64 and arm64 (others exist in Debian but are untested here). */
    static String unavailableOn(String os, String arch) {
        if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
            return "speech-to-text runs pocketsphinx from Debian's Linux packages, and this machine runs " + os
                    + ": install pocketsphinx there and point the catalog entry's libraries and model at it with file: sources";
        }
        return null;
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        long start = System.nanoTime();
        String unavailable = unavailableHere();
        if (unavailable != null) throw new IllegalStateException(unavailable);
        List<Path> libraries = spec.texts("libraries").stream().map(Path::of).toList();
        Path hmm = Path.of(spec.requiredText("acoustic_model")).getParent();
        Path lm = Path.of(spec.requiredText("language_model"));
        Path dict = Path.of(spec.requiredText("dictionary"));
        double maxSeconds = spec.integer("max_seconds", 600);
        progress.step("loading pocketsphinx (" + libraries.size() + " libraries) and the en-us model");
        PocketSphinx engine;
        try {
            engine = PocketSphinx.load(libraries, hmm, lm, dict);
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("the pocketsphinx libraries did not load on this machine (" + e.getMessage()
                    + "): they are Debian bookworm's builds for " + System.getProperty("os.arch") + " and need glibc 2.34 or later", e);
        }
        PocketSphinx.Decoder first = engine.decoder();
        Map<AudioContainer, Path> jars = new EnumMap<>(AudioContainer.class);
        for (var d : Map.of("mp3_decoder", AudioContainer.MP3, "vorbis_decoder", AudioContainer.OGG_VORBIS, "flac_decoder", AudioContainer.FLAC).entrySet()) {
            String jar = spec.text(d.getKey(), null);
            if (jar != null) jars.put(d.getValue(), Path.of(jar));
        }
        String vadModel = spec.text("vad_model", null);
        double splitAbove = spec.integer("split_above_seconds", 15);
        AudioDecoders decoders = null;
        SileroVad vad = null;
        try {
            decoders = AudioDecoders.load(jars);
            if (vadModel != null) vad = SileroVad.load(Path.of(vadModel));
        } catch (Exception | Error e) {
            first.close();
            if (decoders != null) decoders.close();
            throw e;
        }
        progress.step(String.format(Locale.ROOT, "ready in %.1f s, reading %s%s", (System.nanoTime() - start) / 1e9, decoders.readable(),
                vad != null ? String.format(Locale.ROOT, ", splitting recordings over %.0f s with silero VAD", splitAbove) : ""));
        return new TranscriptionRunner(engine, first, maxSeconds, decoders, vad, splitAbove);
    }
}
