package dev.hearth.jobs;

import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.ApiException;

/**
 * Which route a model call came in by, and what that route needs of the model it names. Checked by the
 * admission chain right after the name is resolved, so a call naming a model its route cannot serve is
 * refused (422) before it is validated, held or run, and is charged nothing.
 */
public enum Surface {

    /** {@code POST /v1/{slug}}, {@code /v2/{slug}} and workflow nodes: any model. */
    MODEL,

    /** OpenAI's {@code POST /v1/chat/completions}: a model whose output is OpenAI's chat completion. */
    CHAT_COMPLETIONS,

    /** OpenAI's {@code POST /v1/embeddings}: a model that answers {@code {"embeddings": [...]}}. */
    EMBEDDINGS;

    /** Refuses {@code model} when this surface cannot serve it; {@code name} is what the caller called it. */
    void check(ModelSpec model, String name) {
        switch (this) {
            case MODEL -> { }
            case CHAT_COMPLETIONS -> {
                if (!speaksChat(model)) {
                    throw ApiException.invalid("Model '" + name + "' does not answer OpenAI chat completions; call it at POST /v1/" + name);
                }
            }
            case EMBEDDINGS -> {
                if (!answersEmbeddings(model)) throw ApiException.invalid("Model '" + name + "' is not an embedding model");
            }
        }
    }

    /** Models whose output is OpenAI's chat completion: OpenAI-compatible servers and OpenAI itself. */
    public static boolean speaksChat(ModelSpec model) {
        String type = model.runner().type();
        if (type.equals("openai")) return model.runner().text("endpoint", "chat").equals("chat");
        return type.equals("provider") && model.runner().text("provider", "").equals("openai");
    }

    /**
     * Models that answer a list of vectors: the built-in ONNX embedding runner, an OpenAI-compatible server's
     * embeddings endpoint, or any model its catalog entry files under {@code category: embeddings} (a worker
     * process or Cog image serving one answers in the same shape).
     */
    public static boolean answersEmbeddings(ModelSpec model) {
        String type = model.runner().type();
        return type.equals("onnx-embedding") || "embeddings".equals(model.category())
                || type.equals("openai") && model.runner().text("endpoint", "chat").equals("embeddings");
    }
}
