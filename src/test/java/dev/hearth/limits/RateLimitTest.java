package dev.hearth.limits;

import dev.hearth.http.ApiException;
import dev.hearth.limits.Fixture.Backend;
import dev.hearth.limits.Fixture.ManualTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The per-minute token buckets, on both backends with a clock the test moves: the burst, the continuous
 * refill, the headers, and Retry-After — a client that sleeps it is admitted, one that sleeps a second less
 * is not, so the number is neither short nor padded.
 */
class RateLimitTest {

    final ManualTime time = new ManualTime();

    static ApiException refused(Runnable call) {
        ApiException e = catchThrowableOfType(ApiException.class, call::run);
        assertThat(e).as("expected a refusal").isNotNull();
        return e;
    }

    static Map<String, String> headers(RateVerdict v) {
        Map<String, String> h = new HashMap<>();
        v.writeTo(h::put);
        return h;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void freePlanBurstsFiveThenRefusesWithHeadersThatNameTheLimit(Backend backend) {
        try (Fixture f = new Fixture(backend); Limits limits = f.node(time)) {
            String acc = f.account("free");
            for (int i = 0; i < 5; i++) {
                RateVerdict v = limits.admitModelCall(acc);
                assertThat(v.limit()).isEqualTo(5);
                assertThat(v.remaining()).isEqualTo(4 - i);
                // the bucket is full again once every spent token has come back: 12 s each on 5/min
                assertThat(v.resetSeconds()).isEqualTo(12L * (i + 1));
                assertThat(headers(v)).containsEntry("x-ratelimit-limit", "5").containsEntry("x-ratelimit-remaining", Long.toString(4 - i))
                        .containsEntry("x-ratelimit-reset", Long.toString(12L * (i + 1)));
            }
            Instant before = Instant.now();
            ApiException e = refused(() -> limits.admitModelCall(acc));
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.getMessage()).contains("Rate limit reached: 5 model calls per minute of plan 'free'")
                    .contains("across all its keys").contains("allowed in 12 s").contains("back in 60 s");
            assertThat(e.headers()).containsEntry("x-ratelimit-limit", "5").containsEntry("x-ratelimit-remaining", "0")
                    .containsEntry("x-ratelimit-reset", "60").containsEntry("Retry-After", "12");
            Instant at = Instant.parse(e.headers().get("x-rate-limit-reset-at-utc"));
            assertThat(at).isBetween(before.plusSeconds(11), Instant.now().plusSeconds(13));
            assertThat(e.getMessage()).contains(at.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aClientThatSleepsRetryAfterIsAdmittedAndOneThatSleepsLessIsNot(Backend backend) {
        try (Fixture f = new Fixture(backend); Limits limits = f.node(time)) {
            for (long rpm : new long[]{1, 5, 7, 13, 50, 60, 61, 500, 1000}) {
                String acc = f.account("free", new LimitOverrides(rpm, null, null));
                long burst = 0;
                while (true) {
                    try {
                        limits.admitModelCall(acc);
                        burst++;
                    } catch (ApiException e) {
                        break;
                    }
                }
                assertThat(burst).as("burst of a %d/min bucket", rpm).isEqualTo(rpm);
                for (int round = 0; round < 6; round++) {
                    ApiException e = refused(() -> limits.admitModelCall(acc));
                    long retry = Long.parseLong(e.headers().get("Retry-After"));
                    assertThat(retry).isPositive();
                    if (retry > 1) {
                        time.advanceSeconds(retry - 1);
                        refused(() -> limits.admitModelCall(acc));
                        time.advanceSeconds(1);
                    } else {
                        time.advanceSeconds(retry);
                    }
                    RateVerdict v = limits.admitModelCall(acc);
                    assertThat(v.limit()).isEqualTo(rpm);
                    // spend whatever came back while sleeping, so the next round starts from an empty bucket
                    for (long left = v.remaining(); left > 0; left--) limits.admitModelCall(acc);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void tokensComeBackContinuouslyNotOncePerMinute(Backend backend) {
        try (Fixture f = new Fixture(backend); Limits limits = f.node(time)) {
            String acc = f.account("free", new LimitOverrides(60L, null, null));
            for (int i = 0; i < 60; i++) limits.admitModelCall(acc);
            refused(() -> limits.admitModelCall(acc));
            time.advance(Duration.ofMillis(30_500));
            int passed = 0;
            while (true) {
                try {
                    limits.admitModelCall(acc);
                    passed++;
                } catch (ApiException e) {
                    break;
                }
            }
            assertThat(passed).isEqualTo(30);
            time.advance(Duration.ofMinutes(10));
            assertThat(limits.admitModelCall(acc).remaining()).as("a bucket never holds more than a minute's calls").isEqualTo(59);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void readsHaveTheirOwnBudgetAndNeverSpendModelCalls(Backend backend) {
        try (Fixture f = new Fixture(backend); Limits limits = f.node(time)) {
            String acc = f.account("free");
            for (int i = 0; i < 5; i++) limits.admitModelCall(acc);
            refused(() -> limits.admitModelCall(acc));
            RateVerdict read = limits.admitRead(acc);
            assertThat(read.limit()).isEqualTo(600);
            assertThat(read.remaining()).isEqualTo(599);

            String other = f.account("free", new LimitOverrides(null, 3L, null));
            for (int i = 0; i < 3; i++) limits.admitRead(other);
            ApiException e = refused(() -> limits.admitRead(other));
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.getMessage()).contains("3 reads per minute set for this account (plan 'free')");
            assertThat(e.headers()).containsEntry("Retry-After", "20").containsKey("x-rate-limit-reset-at-utc");
            assertThat(limits.admitModelCall(other).remaining()).as("model calls untouched by reads").isEqualTo(4);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void accountsAreLimitedSeparately(Backend backend) {
        try (Fixture f = new Fixture(backend); Limits limits = f.node(time)) {
            String a = f.account("free");
            String b = f.account("free");
            for (int i = 0; i < 5; i++) limits.admitModelCall(a);
            refused(() -> limits.admitModelCall(a));
            assertThat(limits.admitModelCall(b).remaining()).isEqualTo(4);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aChangedLimitAppliesAtOnceOnThisNode(Backend backend) {
        try (Fixture f = new Fixture(backend); Limits limits = f.node(time)) {
            String acc = f.account("free");
            for (int i = 0; i < 5; i++) limits.admitModelCall(acc);
            refused(() -> limits.admitModelCall(acc));
            f.accounts.put(acc, AccountLimits.of(acc, Fixture.PLANS.find("pro"), LimitOverrides.NONE));
            refused(() -> limits.admitModelCall(acc)); // still the cached plan
            limits.forget(acc);
            RateVerdict v = limits.admitModelCall(acc);
            assertThat(v.limit()).isEqualTo(50);
            assertThat(v.remaining()).isEqualTo(49);
        }
    }

    @org.junit.jupiter.api.Test
    void fullBucketsAreDroppedFromMemoryAndPartlySpentOnesKept() {
        MemoryBackend memory = new MemoryBackend(time);
        try {
            memory.tryConsume("a", 5);
            memory.tryConsume("b", 5);
            time.advanceSeconds(6);
            memory.tryConsume("b", 5);
            time.advanceSeconds(7); // a has been full since 12 s; b spent one more at 6 s, full at 18 s
            memory.dropFullBuckets();
            assertThat(memory.bucketCount()).isEqualTo(1);
            assertThat(memory.tryConsume("a", 5).getRemainingTokens()).isEqualTo(4);
            assertThat(memory.tryConsume("b", 5).getRemainingTokens()).isEqualTo(3);
        } finally {
            memory.close();
        }
    }

    @org.junit.jupiter.api.Test
    void retryAfterRoundsUp() {
        assertThat(Limits.ceilSeconds(0)).isZero();
        assertThat(Limits.ceilSeconds(1)).isEqualTo(1);
        assertThat(Limits.ceilSeconds(1_000_000_000L)).isEqualTo(1);
        assertThat(Limits.ceilSeconds(1_000_000_001L)).isEqualTo(2);
        assertThat(Limits.ceilSeconds(8_571_428_572L)).isEqualTo(9);
    }
}
