package dev.hearth.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalog's batching settings: defaults, turning it off, and a clear error for a value that cannot be. */
class ScalingTest {

    private static Scaling parse(String json) throws Exception {
        JsonNode n = Json.MAPPER.readTree(json);
        return Scaling.parse(n, "test.yaml: model m");
    }

    @Test
    void batchingIsOnByDefaultWithATwoMillisecondWindowAndThirtyTwoJobs() throws Exception {
        Scaling s = parse("{}");
        assertThat(s.batchWindowMillis()).isEqualTo(2);
        assertThat(s.maxBatch()).isEqualTo(32);
        assertThat(s.batching()).isTrue();
    }

    @Test
    void aZeroWindowOrABatchOfOneTurnsItOff() throws Exception {
        assertThat(parse("{\"batch_window_ms\": 0}").batching()).isFalse();
        assertThat(parse("{\"max_batch\": 1}").batching()).isFalse();
        assertThat(parse("{\"max_batch\": 0}").batching()).isFalse();
        Scaling s = parse("{\"batch_window_ms\": 5, \"max_batch\": 8}");
        assertThat(s.batchWindowMillis()).isEqualTo(5);
        assertThat(s.maxBatch()).isEqualTo(8);
    }

    @Test
    void aNegativeOrFractionalValueIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> parse("{\"batch_window_ms\": -1}")).hasMessageContaining("test.yaml: model m: scaling.batch_window_ms");
        assertThatThrownBy(() -> parse("{\"max_batch\": 2.5}")).hasMessageContaining("scaling.max_batch");
        assertThatThrownBy(() -> parse("{\"max_batch\": \"many\"}")).hasMessageContaining("scaling.max_batch");
    }

    @Test
    void anEndpointKeepsItsCatalogModelsBatching() {
        Scaling s = new Scaling(60, 0, 2, 4, 30, 16).withBatching(7, 3);
        assertThat(s.batchWindowMillis()).isEqualTo(7);
        assertThat(s.maxBatch()).isEqualTo(3);
        assertThat(s.slots()).isEqualTo(4);
    }
}
