package dev.hearth.runners.embedding;

import java.nio.FloatBuffer;
import java.util.Locale;

/** How a sentence vector is made from the encoder's per-token hidden states. */
public enum Pooling {

    /** The hidden state of the first token ([CLS]); what BGE was trained with. */
    CLS {
        @Override
        float[] pool(FloatBuffer hidden, int tokens, int dimensions, long[] attentionMask) {
            float[] vector = new float[dimensions];
            hidden.get(0, vector);
            return vector;
        }
    },

    /** The average of the hidden states of real tokens; what sentence-transformers' MiniLM was trained with. */
    MEAN {
        @Override
        float[] pool(FloatBuffer hidden, int tokens, int dimensions, long[] attentionMask) {
            float[] vector = new float[dimensions];
            int counted = 0;
            for (int t = 0; t < tokens; t++) {
                // Padding positions carry hidden states too; averaging them in would drift the vector.
                if (attentionMask[t] == 0) continue;
                counted++;
                int offset = t * dimensions;
                for (int d = 0; d < dimensions; d++) vector[d] += hidden.get(offset + d);
            }
            for (int d = 0; d < dimensions; d++) vector[d] /= Math.max(counted, 1);
            return vector;
        }
    };

    /**
     * @param hidden        the hidden states of one sequence, {@code tokens × dimensions}, row-major
     * @param attentionMask 1 for a real token, 0 for padding
     */
    abstract float[] pool(FloatBuffer hidden, int tokens, int dimensions, long[] attentionMask);

    public static Pooling parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pooling must be 'cls' or 'mean', not '" + name + "'");
        }
    }
}
