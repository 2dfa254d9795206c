package dev.hearth.limits;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.billing.Money;
import dev.hearth.config.HearthConfig;

import java.time.Duration;

/**
 * The {@code limits:} section. An empty {@code redis_url} keeps buckets and job counts in this process;
 * a Redis URL shares them between every gateway configured with it, so one account's limits hold across nodes.
 *
 * @param premiumMinBalance nano-dollars an account on an unpaid plan needs to call premium models
 * @param jobSlotLease      how long a job slot outlives a gateway that stopped renewing it (crash recovery, Redis only)
 * @param accountCache      how long a node reuses an account's plan and overrides before reading them again
 */
public record LimitsConfig(String redisUrl, boolean failOpen, long readRequestsPerMinute, long premiumMinBalance,
                           String keyPrefix, Duration jobSlotLease, Duration accountCache) {

    static final long MAX_PER_MINUTE = 1_000_000_000L;

    public boolean redis() {
        return redisUrl != null && !redisUrl.isBlank();
    }

    public static LimitsConfig from(HearthConfig cfg) {
        return from(cfg.section("limits"));
    }

    static LimitsConfig from(JsonNode s) {
        long premium;
        try {
            premium = Money.fromUsd(ConfigValues.decimal(s.path("premium_min_balance"), "limits.premium_min_balance"));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("limits.premium_min_balance has more than 9 decimals");
        }
        return new LimitsConfig(ConfigValues.text(s.path("redis_url"), "").trim(),
                ConfigValues.bool(s.path("fail_open"), "limits.fail_open"),
                ConfigValues.positiveLong(s.path("read_requests_per_minute"), "limits.read_requests_per_minute", MAX_PER_MINUTE),
                premium,
                ConfigValues.text(s.path("key_prefix"), "hearth:"),
                Duration.ofSeconds(ConfigValues.positiveLong(s.path("job_slot_lease_seconds"), "limits.job_slot_lease_seconds", 86_400)),
                Duration.ofSeconds(ConfigValues.positiveLong(s.path("account_cache_seconds"), "limits.account_cache_seconds", 3_600)));
    }
}
