package dev.hearth.metrics;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@link HearthMetrics} exposes for a recorded call and for watched models, in Prometheus text. */
class HearthMetricsTest {

    @Test
    void aCallIsCountedByModelAndCodeWithItsTimesAndTheGatewayOverhead() {
        try (HearthMetrics m = new HearthMetrics()) {
            m.recordCall("bge", 200, Duration.ofMillis(40), Duration.ofMillis(20), Duration.ofMillis(63));
            m.recordCall("bge", 200, Duration.ofMillis(0), Duration.ofMillis(20), Duration.ofMillis(21));
            m.recordCall("bge", 422, Duration.ZERO, Duration.ZERO, Duration.ofMillis(2));
            String text = m.scrape();
            assertThat(text).contains("hearth_model_requests_total{code=\"200\",model=\"bge\"} 2.0")
                    .contains("hearth_model_requests_total{code=\"422\",model=\"bge\"} 1.0")
                    .contains("hearth_model_queue_seconds_bucket{model=\"bge\",le=\"0.05\"} 2")
                    .contains("hearth_model_queue_seconds_bucket{model=\"bge\",le=\"0.025\"} 1")
                    // the refused call counts and has a total time, but no queue, processing or overhead
                    .contains("hearth_model_processing_seconds_count{model=\"bge\"} 2")
                    .contains("hearth_model_total_seconds_count{model=\"bge\"} 3")
                    .contains("hearth_model_total_seconds_sum{model=\"bge\"} 0.086")
                    // overhead = total − queue − processing: 3 ms and 1 ms
                    .contains("hearth_gateway_overhead_seconds_sum{model=\"bge\"} 0.004")
                    .contains("hearth_gateway_overhead_seconds_bucket{model=\"bge\",le=\"0.0025\"} 1");
        }
    }

    @Test
    void modelStateGaugesFollowTheSupplierAtScrapeTime() {
        try (HearthMetrics m = new HearthMetrics()) {
            AtomicReference<HearthMetrics.ModelSnapshot> now = new AtomicReference<>(new HearthMetrics.ModelSnapshot("cold", 0, 0, 0));
            m.watchModels(List.of("bge"), List.of("cold", "booting", "warm", "failed"), slug -> now.get());
            assertThat(m.scrape()).contains("hearth_model_state{model=\"bge\",state=\"cold\"} 1.0", "hearth_model_state{model=\"bge\",state=\"warm\"} 0.0");
            now.set(new HearthMetrics.ModelSnapshot("warm", 1, 2, 5));
            assertThat(m.scrape()).contains("hearth_model_state{model=\"bge\",state=\"warm\"} 1.0", "hearth_model_state{model=\"bge\",state=\"cold\"} 0.0",
                    "hearth_model_busy{model=\"bge\"} 2.0", "hearth_model_queued{model=\"bge\"} 5.0", "hearth_model_instances{model=\"bge\"} 1.0");
        }
    }

    @Test
    void aFloodOfModelNamesIsCappedSoSeriesStayBounded() {
        try (HearthMetrics m = new HearthMetrics()) {
            for (int i = 0; i < HearthMetrics.MAX_MODEL_LABELS + 50; i++) m.recordCall("m" + i, 404, Duration.ZERO, Duration.ZERO, Duration.ofMillis(1));
            String text = m.scrape();
            assertThat(text).contains("hearth_model_requests_total{code=\"404\",model=\"other\"} 50.0");
            assertThat(text).doesNotContain("model=\"m" + (HearthMetrics.MAX_MODEL_LABELS + 1) + "\"");
        }
    }
}
