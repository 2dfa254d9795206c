package dev.hearth.workflows.operations;

import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CosineSimilarityTest {

    static final Operation COSINE = Operations.builtIn().find("cosine_similarity").orElseThrow();

    static double cosine(double[] a, double[] b) throws Exception {
        return ((Value.Number) COSINE.run(Map.of("a", new Value.Vector(a), "b", new Value.Vector(b)), Json.object())
                .get("similarity")).value();
    }

    @Test
    void knownVectors() throws Exception {
        assertThat(cosine(new double[]{1, 2, 3}, new double[]{2, 4, 6})).isEqualTo(1.0);
        assertThat(cosine(new double[]{1, 0}, new double[]{0, 5})).isEqualTo(0.0);
        assertThat(cosine(new double[]{1, -2, 3}, new double[]{-1, 2, -3})).isEqualTo(-1.0);
        // (1·4 + 2·5 + 3·6) / (√14 · √77) = 32 / √1078
        assertThat(cosine(new double[]{1, 2, 3}, new double[]{4, 5, 6})).isCloseTo(32 / Math.sqrt(1078), within(1e-12));
        assertThat(cosine(new double[]{1, 1}, new double[]{1, 0})).isCloseTo(Math.sqrt(0.5), within(1e-12));
    }

    @Test
    void differentLengthsAndZeroVectorsFail() {
        assertThatThrownBy(() -> cosine(new double[]{1, 2, 3}, new double[]{1, 2})).isInstanceOf(OperationFailure.class)
                .hasMessageContaining("different lengths (3 and 2)");
        assertThatThrownBy(() -> cosine(new double[]{0, 0}, new double[]{1, 2})).isInstanceOf(OperationFailure.class)
                .hasMessageContaining("'a' is all zeros");
        assertThatThrownBy(() -> cosine(new double[]{}, new double[]{})).isInstanceOf(OperationFailure.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> cosine(new double[]{1, Double.NaN}, new double[]{1, 2})).isInstanceOf(OperationFailure.class)
                .hasMessageContaining("not finite");
    }

    @Test
    void bothInputsAreRequired() {
        assertThatThrownBy(() -> COSINE.run(Map.of("a", new Value.Vector(new double[]{1})), Json.object()))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("'b' is required");
    }
}
