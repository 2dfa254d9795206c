package dev.hearth.runners.embedding;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.RunnerSpec;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The models whose weights ship in the langchain4j jars, with langchain4j's own implementation of each as the
 * reference: two quantized ones Hearth ships, and MiniLM's float export (a test dependency only), the model a
 * padded batch can be checked on to float precision. Loaded once per test JVM: a session costs about a second.
 */
enum BundledModels {

    BGE_SMALL("bge-small-en-v1.5-q", Pooling.CLS, BgeSmallEnV15QuantizedEmbeddingModel::new),
    ALL_MINILM("all-minilm-l6-v2-q", Pooling.MEAN, AllMiniLmL6V2QuantizedEmbeddingModel::new),
    ALL_MINILM_FLOAT("all-minilm-l6-v2", Pooling.MEAN, AllMiniLmL6V2EmbeddingModel::new);

    private static final Map<BundledModels, TextEmbedder> EMBEDDERS = new EnumMap<>(BundledModels.class);
    private static final Map<BundledModels, EmbeddingModel> REFERENCES = new EnumMap<>(BundledModels.class);

    final String name;
    final Pooling pooling;
    private final Supplier<EmbeddingModel> reference;

    BundledModels(String name, Pooling pooling, Supplier<EmbeddingModel> reference) {
        this.name = name;
        this.pooling = pooling;
        this.reference = reference;
    }

    TextEmbedder.Settings settings() {
        return new TextEmbedder.Settings("classpath:" + name + ".onnx", "classpath:" + name + "-tokenizer.json",
                pooling, true, 1, null, false);
    }

    RunnerSpec spec() {
        ObjectNode params = JsonNodeFactory.instance.objectNode()
                .put("model", "classpath:" + name + ".onnx")
                .put("tokenizer", "classpath:" + name + "-tokenizer.json")
                .put("pooling", pooling.name().toLowerCase());
        return new RunnerSpec(OnnxEmbeddingRunnerFactory.TYPE, params);
    }

    synchronized TextEmbedder embedder() {
        return EMBEDDERS.computeIfAbsent(this, model -> {
            try {
                return TextEmbedder.load(model.settings(), BootProgress.NONE);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    synchronized EmbeddingModel reference() {
        return REFERENCES.computeIfAbsent(this, model -> model.reference.get());
    }

    float[] embed(String text) throws Exception {
        return embedder().embed(java.util.List.of(text)).vectors().getFirst();
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    static double maxDifference(float[] a, float[] b) {
        if (a.length != b.length) return Double.POSITIVE_INFINITY;
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }
}
