package dev.hearth.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.billing.Money;
import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HardwareRatesTest {

    @Test
    void ratesComeFromConfigInNanoDollarsPerHour() {
        ObjectNode cfg = Json.object().put("cpu", "0.10").put("H100", 4);
        HardwareRates r = HardwareRates.from(cfg);
        assertThat(r.knows("cpu")).isTrue();
        assertThat(r.knows("A100")).isFalse();
        assertThat(r.rate("cpu")).isEqualTo(Money.fromUsd(new BigDecimal("0.10")));
        assertThat(r.rate("H100")).isEqualTo(4_000_000_000L);
        assertThatThrownBy(() -> HardwareRates.from(Json.object().put("bad", "-1"))).hasMessageContaining("bad");
    }

    @Test
    void costIsWorkerTimeTimesTheHourlyRate() {
        long h100 = 4_000_000_000L;                       // $4 per worker-hour
        assertThat(HardwareRates.cost(3_600_000, h100)).isEqualTo(h100);
        assertThat(HardwareRates.cost(1_000, h100)).isEqualTo(1_111_111);   // one second, rounded down
        // a year of ten workers does not overflow
        long year = 10L * 365 * 24 * 3_600_000;
        assertThat(HardwareRates.cost(year, h100)).isEqualTo(10L * 365 * 24 * h100);
    }

    @Test
    void chargingDifferencesOfTheRunningTotalNeverLosesRounding() {
        long rate = Money.fromUsd(new BigDecimal("0.10"));   // 27.7… nano-dollars per millisecond
        long total = 0, charged = 0;
        for (int tick = 0; tick < 1_000; tick++) {
            long before = total;
            total += 997;                                      // an odd tick length
            charged += HardwareRates.cost(total, rate) - HardwareRates.cost(before, rate);
        }
        assertThat(charged).isEqualTo(HardwareRates.cost(total, rate));
    }
}
