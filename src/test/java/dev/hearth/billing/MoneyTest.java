package dev.hearth.billing;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MoneyTest {

    @Test
    void formatsPlainDecimalsWithoutExponentOrTrailingZeros() {
        assertThat(Money.format(100_000)).isEqualTo("0.0001");
        assertThat(Money.format(1)).isEqualTo("0.000000001");
        assertThat(Money.format(1_000_000_000)).isEqualTo("1");
        assertThat(Money.format(0)).isEqualTo("0");
        assertThat(Money.format(-2_500_000_000L)).isEqualTo("-2.5");
        assertThat(Money.format(12_000_000_000L)).isEqualTo("12");
    }

    @Test
    void convertsExactlyAndRefusesSubNanoAmounts() {
        assertThat(Money.fromUsd(new BigDecimal("0.0001"))).isEqualTo(100_000);
        assertThat(Money.fromUsd(new BigDecimal("1E+2"))).isEqualTo(100_000_000_000L);
        assertThatThrownBy(() -> Money.fromUsd(new BigDecimal("0.0000000001"))).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void perSecondPricingRoundsUpToTheNextNanoDollar() {
        assertThat(Money.perSecond(1_000, 1)).isEqualTo(1);
        assertThat(Money.perSecond(1_000, 1500)).isEqualTo(1_500);
        assertThat(Money.perSecond(3, 1)).isEqualTo(1);
    }
}
