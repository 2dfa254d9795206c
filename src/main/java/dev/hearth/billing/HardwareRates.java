package dev.hearth.billing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.billing.Money;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hourly price of one worker on each hardware class ({@code gpu_id}), from the {@code endpoints.hardware}
 * config section, in nano-dollars per hour. An endpoint naming a class not listed here is refused (422).
 */
public record HardwareRates(Map<String, Long> nanosPerHour) {

    public static HardwareRates from(JsonNode hardware) {
        Map<String, Long> rates = new TreeMap<>();
        hardware.properties().forEach(e -> {
            BigDecimal usd = new BigDecimal(e.getValue().asText());
            if (usd.signum() < 0) throw new IllegalArgumentException("endpoints.hardware." + e.getKey() + " must not be negative");
            rates.put(e.getKey(), Money.fromUsd(usd));
        });
        return new HardwareRates(Collections.unmodifiableMap(rates));
    }

    public boolean knows(String gpuId) {
        return nanosPerHour.containsKey(gpuId);
    }

    public long rate(String gpuId) {
        Long r = nanosPerHour.get(gpuId);
        if (r == null) throw new IllegalStateException("no hourly rate for hardware class " + gpuId);
        return r;
    }

    /**
     * The price of {@code workerMillis} worker-milliseconds at {@code nanosPerHour}, rounded down. Billing
     * charges differences of this function over the running total, so rounding never adds up over ticks.
     */
    public static long cost(long workerMillis, long nanosPerHour) {
        long hours = workerMillis / 3_600_000;
        long rest = workerMillis % 3_600_000;
        return hours * nanosPerHour + rest * nanosPerHour / 3_600_000;
    }
}
