package dev.hearth.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * USD amounts as integer nano-dollars. Integer arithmetic keeps the ledger exact under any number of
 * concurrent charges; nine decimals are finer than any price in the catalog (a per-second price times
 * milliseconds still lands on whole nano-dollars after rounding up, see {@link #perSecond}).
 */
public final class Money {

    public static final int SCALE = 9;
    private static final BigDecimal NANOS_PER_USD = BigDecimal.ONE.movePointRight(SCALE);

    private Money() {
    }

    /** Exact conversion; throws ArithmeticException when the amount has more than nine decimals. */
    public static long fromUsd(BigDecimal usd) {
        return usd.movePointRight(SCALE).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
    }

    public static BigDecimal toUsd(long nanos) {
        BigDecimal v = BigDecimal.valueOf(nanos, SCALE).stripTrailingZeros();
        return v.scale() < 0 ? v.setScale(0) : v;
    }

    /** Plain decimal text for headers: no exponent, no trailing zeros ("0.0001", "1", "0"). */
    public static String format(long nanos) {
        return toUsd(nanos).toPlainString();
    }

    /** Price per second times a duration, rounded up to the next nano-dollar so nothing is under-charged. */
    public static long perSecond(long nanosPerSecond, long millis) {
        return BigDecimal.valueOf(nanosPerSecond).multiply(BigDecimal.valueOf(millis))
                .divide(BigDecimal.valueOf(1000), 0, RoundingMode.CEILING).longValueExact();
    }

    public static BigDecimal nanosPerUsd() {
        return NANOS_PER_USD;
    }
}
