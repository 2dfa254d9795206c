package dev.hearth.bench;

import dev.hearth.catalog.Catalog;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.embedding.Embeddings;
import dev.hearth.runners.embedding.OnnxEmbeddingRunnerFactory;
import dev.hearth.runners.embedding.TextEmbedder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a padded batch buys on this machine's CPU, in process: 32 short texts embedded by the catalog's
 * bge-small-en-v1.5 (a) one ONNX run per text, as Hearth serves them by default, and (b) in one padded run
 * ({@link TextEmbedder#embedPadded}). One op is all 32 texts, so the ratio of the two scores is the speed-up a
 * batch of 32 could give at best, before any lane work to gather it. See bench/README.md.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
@State(Scope.Benchmark)
public class PaddedBatchBench {

    static final int TEXTS = 32;

    TextEmbedder embedder;
    List<String> texts;

    @Setup(Level.Trial)
    public void boot() throws Exception {
        // The same runner section the gateway boots for the model.
        embedder = TextEmbedder.load(OnnxEmbeddingRunnerFactory.settings(
                Catalog.load("").resolve(EmbeddingOverheadBench.SLUG).runner()), BootProgress.NONE);
        texts = new ArrayList<>(TEXTS);
        // Short texts of slightly different lengths, as concurrent callers would send: rows carry some padding.
        for (int i = 0; i < TEXTS; i++) texts.add(EmbeddingOverheadBench.SENTENCE + " Call " + i + (i % 3 == 0 ? " of many." : "."));
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        embedder.close();
    }

    @Benchmark
    public Embeddings oneRunPerText() throws Exception {
        return embedder.embed(texts);
    }

    @Benchmark
    public Embeddings onePaddedRun() throws Exception {
        return embedder.embedPadded(texts);
    }
}
