package dev.hearth.runners.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OnnxEmbeddingRunnerFactoryTest {

    static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final List<String> bootSteps = new ArrayList<>();
    static Runner runner;

    @BeforeAll
    static void boot() throws Exception {
        runner = new OnnxEmbeddingRunnerFactory().boot(BundledModels.ALL_MINILM.spec(), bootSteps::add);
    }

    @AfterAll
    static void unload() throws Exception {
        runner.close();
    }

    @Test
    void servesItsCatalogType() {
        assertThat(new OnnxEmbeddingRunnerFactory().type()).isEqualTo("onnx-embedding");
    }

    @Test
    void bootTellsWhatItLoads() {
        assertThat(bootSteps).hasSize(3);
        assertThat(bootSteps.get(0)).startsWith("loading tokenizer classpath:all-minilm-l6-v2-q-tokenizer.json");
        assertThat(bootSteps.get(1)).isEqualTo("loading ONNX model (23 MB)");
        assertThat(bootSteps.get(2)).matches("ready in \\d+\\.\\d s \\(384 dimensions, up to 128 tokens per text\\)");
    }

    @Test
    void segmindTextGivesOneVector() throws Exception {
        JsonNode body = run(JSON.objectNode().put("text", "The cat sits on the mat."));

        assertShape(body, 1);
        assertThat(vector(body, 0)).isEqualTo(BundledModels.ALL_MINILM.embed("The cat sits on the mat."));
    }

    @Test
    void openAiInputStringGivesOneVector() throws Exception {
        assertShape(run(JSON.objectNode().put("input", "The cat sits on the mat.")), 1);
    }

    @Test
    void openAiInputArrayGivesOneVectorPerTextInOrder() throws Exception {
        ObjectNode params = JSON.objectNode();
        params.putArray("input").add("The cat sits on the mat.").add("").add("Quarterly revenue grew by 8%.");

        JsonNode body = run(params);

        assertShape(body, 3);
        assertThat(vector(body, 0)).isEqualTo(BundledModels.ALL_MINILM.embed("The cat sits on the mat."));
        assertThat(vector(body, 1)).isEqualTo(BundledModels.ALL_MINILM.embed(""));
        assertThat(vector(body, 2)).isEqualTo(BundledModels.ALL_MINILM.embed("Quarterly revenue grew by 8%."));
    }

    @Test
    void billsTheTokensItRead() throws Exception {
        ObjectNode params = JSON.objectNode();
        params.putArray("input").add("hello").add("");

        RunOutput.Json output = (RunOutput.Json) runner.run(new RunInput("req-1", params, null));

        // "hello" is one token; [CLS] and [SEP] are not billed, so the empty text costs nothing.
        assertThat(output.body().get("tokens").asLong()).isEqualTo(1);
        assertThat(output.billableUnits()).isEqualTo(1);
    }

    @Test
    void refusesARequestWithoutText() {
        assertThatThrownBy(() -> run(JSON.objectNode())).isInstanceOf(RunFailure.class).hasMessageContaining("'text' or 'input'");
        assertThatThrownBy(() -> run(JSON.objectNode().putNull("input"))).isInstanceOf(RunFailure.class);
    }

    @Test
    void refusesAmbiguousOrMistypedText() {
        ObjectNode both = JSON.objectNode().put("text", "a").put("input", "b");
        ObjectNode empty = JSON.objectNode();
        empty.putArray("input");
        ObjectNode number = JSON.objectNode();
        number.putArray("input").add("a").add(3);

        assertThatThrownBy(() -> run(both)).isInstanceOf(RunFailure.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> run(empty)).isInstanceOf(RunFailure.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> run(number)).isInstanceOf(RunFailure.class).hasMessageContaining("'input[1]' must be a string");
    }

    @Test
    void catalogParametersAreChecked() {
        OnnxEmbeddingRunnerFactory factory = new OnnxEmbeddingRunnerFactory();
        ObjectNode params = ((ObjectNode) BundledModels.ALL_MINILM.spec().params()).deepCopy();

        assertThatThrownBy(() -> factory.boot(new RunnerSpec("onnx-embedding", params.deepCopy().put("pooling", "max")), m -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'cls' or 'mean'");
        assertThatThrownBy(() -> factory.boot(new RunnerSpec("onnx-embedding", params.deepCopy().put("threads", "many")), m -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
        assertThatThrownBy(() -> factory.boot(new RunnerSpec("onnx-embedding", params.deepCopy().put("normalize", "yes")), m -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("normalize");
        assertThatThrownBy(() -> factory.boot(new RunnerSpec("onnx-embedding", params.deepCopy().put("paddedBatches", "yes")), m -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("paddedBatches");
        ObjectNode noModel = params.deepCopy();
        noModel.remove("model");
        assertThatThrownBy(() -> factory.boot(new RunnerSpec("onnx-embedding", noModel), m -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'model'");
        assertThatThrownBy(() -> factory.boot(new RunnerSpec("onnx-embedding", params.deepCopy().put("model", "classpath:nothing.onnx")), m -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing.onnx");
    }

    @Test
    void paddedBatchesRunTheTextsOfOneCallAsOneBatch() throws Exception {
        ObjectNode params = ((ObjectNode) BundledModels.ALL_MINILM_FLOAT.spec().params()).deepCopy().put("paddedBatches", true);
        try (Runner padded = new OnnxEmbeddingRunnerFactory().boot(new RunnerSpec("onnx-embedding", params), m -> { })) {
            ObjectNode request = JSON.objectNode();
            request.putArray("input").add(TextEmbedderTest.SHORT).add("").add(TextEmbedderTest.LONG);
            JsonNode body = ((RunOutput.Json) padded.run(new RunInput("r", request, null))).body();

            TextEmbedder alone = BundledModels.ALL_MINILM_FLOAT.embedder();
            List<float[]> expected = alone.embedPadded(List.of(TextEmbedderTest.SHORT, "", TextEmbedderTest.LONG)).vectors();
            for (int i = 0; i < 3; i++) assertThat(vector(body, i)).as("text %d", i).isEqualTo(expected.get(i));
            assertThat(body.get("tokens").asLong())
                    .isEqualTo(alone.embed(List.of(TextEmbedderTest.SHORT, "", TextEmbedderTest.LONG)).tokens());
        }
    }

    @Test
    void maxTokensAndNormalizeCanBeSetInTheCatalog() throws Exception {
        ObjectNode params = ((ObjectNode) BundledModels.ALL_MINILM.spec().params()).deepCopy()
                .put("maxTokens", 16).put("normalize", false).put("threads", 2);
        try (Runner custom = new OnnxEmbeddingRunnerFactory().boot(new RunnerSpec("onnx-embedding", params), m -> { })) {
            JsonNode body = ((RunOutput.Json) custom.run(new RunInput("r", JSON.objectNode().put("text", TextEmbedderTest.LONG), null))).body();

            assertThat(body.get("tokens").asLong()).isEqualTo(14); // 16 read, [CLS] and [SEP] not billed
            double norm = 0;
            for (float v : vector(body, 0)) norm += v * v;
            assertThat(Math.sqrt(norm)).isGreaterThan(1.5); // mean-pooled MiniLM states are far from unit length
        }
    }

    private static JsonNode run(ObjectNode params) throws Exception {
        RunOutput output = runner.run(new RunInput("req", params, null));
        assertThat(output).isInstanceOf(RunOutput.Json.class);
        RunOutput.Json json = (RunOutput.Json) output;
        assertThat(json.billableUnits()).isEqualTo(json.body().get("tokens").asLong());
        return json.body();
    }

    private static void assertShape(JsonNode body, int texts) {
        assertThat(body.get("dimensions").asInt()).isEqualTo(384);
        assertThat(body.get("tokens").isIntegralNumber()).isTrue();
        assertThat(body.get("embeddings").isArray()).isTrue();
        assertThat(body.get("embeddings")).hasSize(texts);
        for (JsonNode vector : body.get("embeddings")) {
            assertThat(vector).hasSize(384);
            vector.forEach(v -> assertThat(v.isNumber()).isTrue());
        }
    }

    private static float[] vector(JsonNode body, int index) {
        JsonNode numbers = body.get("embeddings").get(index);
        float[] vector = new float[numbers.size()];
        for (int i = 0; i < vector.length; i++) vector[i] = numbers.get(i).floatValue();
        return vector;
    }
}
