package dev.hearth.runners.embedding;

import java.util.List;

/**
 * The vectors of some texts, in the order of the texts, and how many of the texts' tokens the model read to make
 * them: what per-token pricing bills. Counted like OpenAI's usage and langchain4j's TokenUsage, without the
 * [CLS] and [SEP] the model adds, and after truncation, so an empty text costs nothing and a cut text only
 * what was read.
 */
public record Embeddings(List<float[]> vectors, long tokens) {

    public Embeddings {
        vectors = List.copyOf(vectors);
    }
}
