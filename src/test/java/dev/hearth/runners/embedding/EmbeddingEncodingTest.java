package dev.hearth.runners.embedding;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddingEncodingTest {

    @Test
    void base64IsLittleEndianFloat32() {
        // 1.0f is 0x3F800000: little endian puts 00 00 80 3F on the wire.
        assertThat(EmbeddingEncoding.base64(new float[] {1.0f})).isEqualTo("AACAPw==");
    }

    @Test
    void base64RoundTripsToTheSameFloats() throws Exception {
        float[] vector = BundledModels.BGE_SMALL.embed("The cat sits on the mat.");
        float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MAX_VALUE, 1e-7f, -0.123456789f};

        assertThat(decode(EmbeddingEncoding.base64(vector))).isEqualTo(vector);
        assertThat(decode(EmbeddingEncoding.base64(edges))).isEqualTo(edges);
        assertThat(EmbeddingEncoding.base64(new float[0])).isEmpty();
    }

    /** What an OpenAI client does with the string. */
    private static float[] decode(String base64) {
        FloatBuffer floats = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] vector = new float[floats.remaining()];
        floats.get(vector);
        return vector;
    }
}
