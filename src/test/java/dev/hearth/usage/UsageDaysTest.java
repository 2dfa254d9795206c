package dev.hearth.usage;

import dev.hearth.config.ConfigLoader;
import dev.hearth.http.ApiException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** UTC days on the wire and in the store, and the usage settings. */
class UsageDaysTest {

    @Test
    void daysAreUtcAndDatesAreStrict() {
        assertThat(UsageDays.dayOf(0)).isZero();
        assertThat(UsageDays.dayOf(86_399_999)).isZero();
        assertThat(UsageDays.dayOf(86_400_000)).isEqualTo(1);
        assertThat(UsageDays.dayOf(-1)).isEqualTo(-1);
        assertThat(UsageDays.format(UsageDays.parse("from", "2026-02-28", 0))).isEqualTo("2026-02-28");
        assertThat(UsageDays.parse("from", null, 42)).isEqualTo(42);
        assertThat(UsageDays.parse("from", " ", 42)).isEqualTo(42);
        for (String bad : new String[]{"2026-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026/01/01", "today"}) {
            assertThatThrownBy(() -> UsageDays.parse("from", bad, 0)).as(bad).isInstanceOf(ApiException.class)
                    .hasMessageStartingWith("from: '" + bad + "' is not a date")
                    .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(422));
        }
    }

    @Test
    void retentionDefaultsTo400DaysAndRefusesNonsense() {
        assertThat(UsageSettings.from(ConfigLoader.load(null, Map.of(), Map.of())).retentionDays()).isEqualTo(400);
        assertThat(UsageSettings.from(ConfigLoader.load(null, Map.of("HEARTH_USAGE_RETENTION_DAYS", "30"), Map.of())).retentionDays()).isEqualTo(30);
        assertThat(UsageSettings.from(ConfigLoader.load(null, Map.of(), Map.of("usage.retention_days", "0"))).retentionDays()).isZero();
        assertThatThrownBy(() -> UsageSettings.from(ConfigLoader.load(null, Map.of(), Map.of("usage.retention_days", "-1"))))
                .hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> UsageSettings.from(ConfigLoader.load(null, Map.of(), Map.of("usage.retention_days", "a year"))))
                .hasMessageContaining("whole number of days");
    }
}
