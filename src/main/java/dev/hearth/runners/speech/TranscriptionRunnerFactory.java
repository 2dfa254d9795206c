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
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        long start = System.nanoTime();
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
            throw new IllegalStateException("speech-to-text runs pocketsphinx from Debian's Linux packages; this machine runs " + os
                    + ", for which none are fetched (install pocketsphinx there and point the catalog's libraries at it with file: sources)");
        }
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
