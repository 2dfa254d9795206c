package dev.hearth.runners.embedding;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.output.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.hearth.runners.embedding.BundledModels.cosine;
import static dev.hearth.runners.embedding.BundledModels.maxDifference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TextEmbedderTest {

    static final String SHORT = "The cat sits on the mat.";
    static final String SENTENCE = "Hearth runs open models on your own hardware and bills each call by the tokens it reads.";
    static final String UNICODE = "Café crème, naïve résumé — 東京は晴れ 🙂 Ελληνικά ünïcödé";
    /** Well past 512 tokens: at least one token per word. */
    static final String LONG = ("Embedding models read a bounded window of tokens, so a long document is cut before the model sees it. "
            + "What is cut away must not break the request, and the vector must still describe the beginning. ").repeat(20);

    @ParameterizedTest
    @EnumSource(BundledModels.class)
    void vectorsAndTokenCountsMatchTheReferenceImplementation(BundledModels model) throws Exception {
        assertThat(LONG.split(" ")).hasSizeGreaterThan(600);
        for (String text : List.of(SHORT, SENTENCE, UNICODE, LONG)) {
            Embeddings ours = model.embedder().embed(List.of(text));
            Response<Embedding> reference = model.reference().embed(text);

            assertThat(maxDifference(ours.vectors().getFirst(), reference.content().vector()))
                    .as("%s: largest component difference for \"%.30s...\"", model, text)
                    .isLessThan(1e-4);
            assertThat(ours.tokens()).as("tokens of \"%.30s...\"", text)
                    .isEqualTo(reference.tokenUsage().inputTokenCount().longValue());
        }
    }

    @ParameterizedTest
    @EnumSource(BundledModels.class)
    void longTextsAreCutAtTheModelsTokenWindow(BundledModels model) throws Exception {
        // BGE's tokenizer.json names no length, so the encoder's 512 positions apply; MiniLM's names 128,
        // the length it was trained at and the one the reference cuts at too.
        int window = model == BundledModels.BGE_SMALL ? 512 : 128;
        assertThat(model.embedder().maxTokens()).isEqualTo(window);
        assertThat(model.embedder().embed(List.of(LONG)).tokens()).isEqualTo(window - 2); // without [CLS] and [SEP]
    }

    @ParameterizedTest
    @EnumSource(BundledModels.class)
    void anEmptyTextIsEmbeddedAsClsAndSep(BundledModels model) throws Exception {
        Embeddings empty = model.embedder().embed(List.of(""));

        assertThat(empty.tokens()).isZero();
        float[] vector = empty.vectors().getFirst();
        assertThat(vector).hasSize(384);
        assertThat(Math.sqrt(dot(vector, vector))).isCloseTo(1.0, within(1e-5));
        // No reference to compare with: langchain4j refuses empty text rather than embedding it.
        assertThatThrownBy(() -> model.reference().embed("")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(BundledModels.class)
    void similarSentencesAreCloserThanUnrelatedOnes(BundledModels model) throws Exception {
        float[] cat = model.embed(SHORT);
        float[] kitten = model.embed("A kitten rests on a rug.");
        float[] revenue = model.embed("Quarterly revenue grew by 8%.");

        assertThat(cosine(cat, kitten)).isGreaterThan(cosine(cat, revenue));
    }

    @ParameterizedTest
    @EnumSource(BundledModels.class)
    void aBatchEmbedsEachTextAsIfItWereAlone(BundledModels model) throws Exception {
        List<String> texts = List.of(SHORT, LONG, "", UNICODE, SENTENCE, SHORT);

        Embeddings batch = model.embedder().embed(texts);

        long tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            Embeddings alone = model.embedder().embed(List.of(texts.get(i)));
            assertThat(maxDifference(batch.vectors().get(i), alone.vectors().getFirst())).as("text %d", i).isLessThan(1e-5);
            tokens += alone.tokens();
        }
        assertThat(batch.tokens()).isEqualTo(tokens);
    }

    @Test
    void aPaddedBatchOfAFloatModelGivesEachTextItsVectorAlone() throws Exception {
        TextEmbedder embedder = BundledModels.ALL_MINILM_FLOAT.embedder();
        // Lengths from 2 tokens to the 128-token window, so most rows carry padding, some most of their width.
        List<String> texts = List.of(SHORT, LONG, "", UNICODE, SENTENCE, SHORT, "Hi");

        Embeddings padded = embedder.embedPadded(texts);

        assertThat(padded.vectors()).hasSize(texts.size());
        long tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            Embeddings alone = embedder.embed(List.of(texts.get(i)));
            assertThat(maxDifference(padded.vectors().get(i), alone.vectors().getFirst())).as("text %d", i).isLessThan(1e-5);
            tokens += alone.tokens();
        }
        assertThat(padded.tokens()).isEqualTo(tokens);
        // And each row is its own text's, not a neighbour's: the short texts differ from each other.
        assertThat(maxDifference(padded.vectors().get(0), padded.vectors().get(6))).isGreaterThan(0.01);
    }

    @ParameterizedTest
    @EnumSource(BundledModels.class)
    void aPaddedBatchStaysCloseToEachTextAloneForEveryModel(BundledModels model) throws Exception {
        // Quantized models are not exact in a padded batch (the class comment of TextEmbedder says why), but
        // padding must still not turn one text's vector into another's.
        List<String> texts = List.of(SHORT, LONG, SENTENCE);
        Embeddings padded = model.embedder().embedPadded(texts);
        for (int i = 0; i < texts.size(); i++)
            assertThat(cosine(padded.vectors().get(i), model.embed(texts.get(i)))).as("text %d", i).isGreaterThan(0.98);
    }

    /** 40 short texts of different lengths, as 32+ concurrent callers would send them, some with several texts. */
    static List<List<String>> callersTexts() {
        List<List<String>> groups = new ArrayList<>();
        for (int i = 0; i < 36; i++) {
            String text = switch (i % 4) {
                case 0 -> "Caller " + i + " asks about the weather.";
                case 1 -> SHORT;
                case 2 -> "Request " + i + ": " + SENTENCE;
                default -> "Quarterly revenue of unit " + i + " grew by " + i + "% over the last year, beating estimates.";
            };
            groups.add(i % 9 == 0 ? List.of(text, UNICODE, "") : List.of(text));
        }
        return groups;
    }

    /** Without padded batches, a gathered batch gives every call exactly what it gets alone. */
    @ParameterizedTest
    @EnumSource(BundledModels.class)
    void aGatheredBatchGivesEachCallItsVectorsAlone(BundledModels model) throws Exception {
        List<List<String>> groups = callersTexts();
        List<Embeddings> each = model.embedder().embedEach(groups);
        assertThat(each).hasSize(groups.size());
        for (int g = 0; g < groups.size(); g++) {
            Embeddings alone = model.embedder().embed(groups.get(g));
            assertThat(each.get(g).tokens()).isEqualTo(alone.tokens());
            for (int i = 0; i < groups.get(g).size(); i++) assertThat(each.get(g).vectors().get(i)).isEqualTo(alone.vectors().get(i));
        }
    }

    /**
     * With padded batches, a gathered batch's vectors are close to each text's vector alone: float noise for the
     * float export; for the int8 models the lowest cosine similarity measured here (written in docs/workers.md)
     * was 0.9933 for bge-small and 0.9654 for MiniLM: dynamic quantization over the whole batch moves a short
     * text's vector noticeably, which is why the built-in int8 entries keep paddedBatches off.
     */
    @ParameterizedTest
    @EnumSource(BundledModels.class)
    void aPaddedGatheredBatchStaysCloseToEachCallAlone(BundledModels model) throws Exception {
        TextEmbedder.Settings s = model.settings();
        TextEmbedder padded = TextEmbedder.load(new TextEmbedder.Settings(s.model(), s.tokenizer(), s.pooling(), s.normalize(), s.threads(),
                s.maxTokens(), true), dev.hearth.runners.BootProgress.NONE);
        try {
            List<List<String>> groups = callersTexts();
            List<Embeddings> each = padded.embedEach(groups);
            double worst = 1;
            for (int g = 0; g < groups.size(); g++) {
                Embeddings alone = model.embedder().embed(groups.get(g));
                assertThat(each.get(g).tokens()).isEqualTo(alone.tokens());
                for (int i = 0; i < groups.get(g).size(); i++) worst = Math.min(worst, cosine(each.get(g).vectors().get(i), alone.vectors().get(i)));
            }
            System.out.printf("padded gathered batch, %s: lowest cosine similarity to alone %.5f%n", model.name, worst);
            double floor = switch (model) {
                case ALL_MINILM_FLOAT -> 0.99999;
                case BGE_SMALL -> 0.99;
                case ALL_MINILM -> 0.96;
            };
            assertThat(worst).isGreaterThan(floor);
        } finally {
            padded.close();
        }
    }

    @Test
    void concurrentCallersGetTheSameVectorsAsOneCaller() throws Exception {
        TextEmbedder embedder = BundledModels.ALL_MINILM.embedder();
        List<String> texts = List.of(SHORT, SENTENCE, UNICODE, LONG, "");
        List<float[]> expected = embedder.embed(texts).vectors();

        List<Future<Embeddings>> calls = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 16; i++) calls.add(pool.submit(() -> embedder.embed(texts)));
            for (Future<Embeddings> call : calls) {
                List<float[]> got = call.get().vectors();
                for (int i = 0; i < texts.size(); i++) assertThat(got.get(i)).isEqualTo(expected.get(i));
            }
        }
    }

    @Test
    void theTokenizerJsonDecidesTheDefaultWindow() throws Exception {
        assertThat(TextEmbedder.declaredMaxTokens("{\"truncation\":{\"max_length\":128}}".getBytes())).isEqualTo(128);
        assertThat(TextEmbedder.declaredMaxTokens("{\"truncation\":{\"max_length\":8192}}".getBytes())).isEqualTo(512);
        assertThat(TextEmbedder.declaredMaxTokens("{\"truncation\":null}".getBytes())).isEqualTo(512);
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += a[i] * b[i];
        return sum;
    }
}
