package dev.hearth.runners.speech;

import dev.hearth.artifacts.RuntimeClassLoader;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Boots FreeTTS, a pure-Java speech synthesiser, from its jar in the artifact cache. Catalog parameters:
 * {@code runtime} (the FreeTTS jar with its CMU voices and lexicon, usually {@code maven:net.sf.sociaal:freetts:1.2.2},
 * resolved by the artifact cache) and {@code max_chars} (longest text one call may speak, default 2000).
 */
public final class SpeechRunnerFactory implements RunnerFactory {

    public static final String TYPE = "freetts";
    /** Named by string only: the class must be loaded by the runtime's loader, never by Hearth's. */
    static final String BRIDGE_PACKAGE = "dev.hearth.runners.speech.freetts";
    static final String BRIDGE = BRIDGE_PACKAGE + ".FreeTtsSpeaker";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        long start = System.nanoTime();
        Path jar = Path.of(spec.requiredText("runtime"));
        if (!Files.isRegularFile(jar)) throw new IllegalArgumentException("runner '" + TYPE + "': no FreeTTS jar at " + jar);
        int maxChars = spec.integer("max_chars", 2000);
        RuntimeClassLoader loader = new RuntimeClassLoader("freetts", List.of(jar), BRIDGE_PACKAGE);
        try {
            progress.step("loading the FreeTTS voices and lexicon");
            Speaker speaker = loader.create(BRIDGE, Speaker.class);
            progress.step(String.format(Locale.ROOT, "ready in %.1f s with voices %s", (System.nanoTime() - start) / 1e9, speaker.voices()));
            return new SpeechRunner(speaker, loader, maxChars);
        } catch (Exception | Error e) {
            loader.close();
            throw e;
        }
    }
}
