package dev.hearth.limits;

import dev.hearth.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The limits: and plans: sections: shipped defaults, environment overrides, and startup errors that name the key. */
class LimitsConfigTest {

    @Test
    void defaultsMatchTheSpec() {
        var cfg = ConfigLoader.load(null, Map.of(), Map.of());
        LimitsConfig l = LimitsConfig.from(cfg);
        assertThat(l.redis()).isFalse();
        assertThat(l.failOpen()).isFalse();
        assertThat(l.readRequestsPerMinute()).isEqualTo(600);
        assertThat(l.premiumMinBalance()).isEqualTo(5_000_000_000L);
        assertThat(l.keyPrefix()).isEqualTo("hearth:");
        assertThat(l.jobSlotLease()).isEqualTo(Duration.ofSeconds(30));
        Plans plans = Plans.fromConfig(cfg);
        assertThat(plans.find("free")).isEqualTo(new Plan("free", 5, 600, 1, false));
        assertThat(plans.find("pro")).isEqualTo(new Plan("pro", 50, 600, 10, true));
        assertThat(plans.paidNames()).containsExactly("pro", "enterprise");
    }

    @Test
    void environmentVariablesSetLimitsAndPlans() {
        var cfg = ConfigLoader.load(null, Map.of("HEARTH_LIMITS_REDIS_URL", "redis://10.0.0.5:6379", "HEARTH_LIMITS_FAIL_OPEN", "true",
                "HEARTH_LIMITS_READ_REQUESTS_PER_MINUTE", "120", "HEARTH_PLANS_FREE_REQUESTS_PER_MINUTE", "9"), Map.of());
        LimitsConfig l = LimitsConfig.from(cfg);
        assertThat(l.redisUrl()).isEqualTo("redis://10.0.0.5:6379");
        assertThat(l.failOpen()).isTrue();
        Plans plans = Plans.fromConfig(cfg);
        assertThat(plans.find("free").requestsPerMinute()).isEqualTo(9);
        assertThat(plans.find("free").readRequestsPerMinute()).isEqualTo(120);
    }

    @Test
    void badValuesFailAtStartupNamingTheKey() {
        assertThatThrownBy(() -> Plans.fromConfig(ConfigLoader.load(null, Map.of(), Map.of("plans.free.requests_per_minute", "five"))))
                .hasMessageContaining("plans.free.requests_per_minute must be a whole number");
        assertThatThrownBy(() -> Plans.fromConfig(ConfigLoader.load(null, Map.of(), Map.of("plans.pro.concurrent_jobs", "0"))))
                .hasMessageContaining("plans.pro.concurrent_jobs must be between 1 and");
        assertThatThrownBy(() -> Plans.fromConfig(ConfigLoader.load(null, Map.of(), Map.of("plans.pro.paid", "yes"))))
                .hasMessageContaining("plans.pro.paid must be true or false");
        assertThatThrownBy(() -> LimitsConfig.from(ConfigLoader.load(null, Map.of(), Map.of("limits.premium_min_balance", "-1"))))
                .hasMessageContaining("limits.premium_min_balance must not be negative");
        assertThatThrownBy(() -> new RedisLink("not a url"))
                .hasMessageContaining("limits.redis_url is not a Redis URL");
    }
}
