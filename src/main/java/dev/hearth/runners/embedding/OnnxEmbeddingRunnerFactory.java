package dev.hearth.runners.embedding;

import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.util.Locale;

/**
 * Boots text-embedding models exported to ONNX with a Hugging Face tokenizer.json. Catalog parameters:
 * {@code model} and {@code tokenizer} (locations: {@code classpath:<name>} or a path), {@code pooling}
 * ({@code cls} or {@code mean}), {@code normalize} (default true), {@code threads} (default 1) and
 * {@code maxTokens} (default: the tokenizer.json's truncation length, else 512) and {@code paddedBatches}
 * (default false: the texts of one call, and the calls of a batch the lane gathered, run as padded batches;
 * exact only for an unquantized export).
 */
public final class OnnxEmbeddingRunnerFactory implements RunnerFactory {

    public static final String TYPE = "onnx-embedding";

    /**
     * One onnxruntime thread per text by default. Parallelism comes from the gateway's slots (concurrent runs
     * share the session, each on its caller's thread); an intra-op pool per session would oversubscribe the
     * cores as soon as slots are busy, and would spin threads against the other models of this process. For a
     * short sentence a second thread saves nothing (measured on 2 cores: slower); a catalog entry that serves
     * long texts to one caller at a time may raise it.
     */
    static final int DEFAULT_THREADS = 1;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        long start = System.nanoTime();
        TextEmbedder embedder = TextEmbedder.load(settings(spec), progress);
        progress.step(String.format(Locale.ROOT, "ready in %.1f s (%d dimensions, up to %d tokens per text)",
                (System.nanoTime() - start) / 1e9, embedder.dimensions(), embedder.maxTokens()));
        return new EmbeddingRunner(embedder);
    }

    /** The embedder settings a catalog runner section names; public for the benchmarks, which boot one bare. */
    public static TextEmbedder.Settings settings(RunnerSpec spec) {
        return new TextEmbedder.Settings(
                spec.requiredText("model"),
                spec.requiredText("tokenizer"),
                Pooling.parse(spec.requiredText("pooling")),
                bool(spec, "normalize", true),
                integer(spec, "threads", Integer.toString(DEFAULT_THREADS)),
                spec.text("maxTokens", null) == null ? null : integer(spec, "maxTokens", null),
                bool(spec, "paddedBatches", false));
    }

    private static boolean bool(RunnerSpec spec, String name, boolean fallback) {
        String value = spec.text(name, Boolean.toString(fallback)).trim();
        if (value.equalsIgnoreCase("true")) return true;
        if (value.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException("runner '" + TYPE + "': '" + name + "' must be true or false, not '" + value + "'");
    }

    private static int integer(RunnerSpec spec, String name, String fallback) {
        String value = spec.text(name, fallback).trim();
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("runner '" + TYPE + "': '" + name + "' must be a whole number, not '" + value + "'");
        }
    }
}
