package dev.hearth.runners.embedding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/** Wire encodings of an embedding vector besides a JSON array of numbers. */
public final class EmbeddingEncoding {

    private EmbeddingEncoding() {
    }

    /**
     * OpenAI's {@code encoding_format: "base64"}: the float32 values in little-endian byte order, then standard
     * Base64 (with padding). Clients decode it with e.g. {@code np.frombuffer(base64.b64decode(s), "<f4")}.
     */
    public static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
