package dev.hearth.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {

    @Test
    void readsSecondsUnitsAndIso() {
        assertThat(Durations.parse("k", "604800")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("k", "7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("k", "200ms")).isEqualTo(Duration.ofMillis(200));
        assertThat(Durations.parse("k", " 5m ")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("k", "2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("k", "PT90S")).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> Durations.parse("storage.output_retention", "a week"))
                .hasMessageContaining("storage.output_retention").hasMessageContaining("not a duration");
    }
}
