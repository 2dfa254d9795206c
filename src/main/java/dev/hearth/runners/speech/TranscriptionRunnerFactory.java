package dev.hearth.runners.speech;

import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Boots CMU pocketsphinx, in process, from Debian packages in the artifact cache. Catalog parameters:
 * {@code libraries} (the shared libraries in load order, dependencies first, pocketsphinx last — usually
 * {@code deb:} sources), {@code acoustic_model} (any file of the acoustic model folder, e.g. its {@code mdef}: the
 * folder is what pocketsphinx reads), {@code language_model}, {@code dictionary}, and {@code max_seconds} (longest
 * recording one call may send, default 600). Anything that stops the boot (another OS, libraries that do not load)
 * is a boot failure, which callers see as a 503 naming what is missing.
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
        progress.step(String.format(Locale.ROOT, "ready in %.1f s", (System.nanoTime() - start) / 1e9));
        return new TranscriptionRunner(engine, first, maxSeconds);
    }
}
