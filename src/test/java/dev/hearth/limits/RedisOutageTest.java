package dev.hearth.limits;

import dev.hearth.TestRedis;
import dev.hearth.http.ApiException;
import dev.hearth.limits.Fixture.Backend;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.hearth.limits.RateLimitTest.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis going away under a running gateway, on a redis-server the test starts on a free port (never the
 * shared one): model calls get a 503 that says what is wrong, reads and fail-open gateways carry on, and
 * the same {@link Limits} works again once Redis is back on its port, without being rebuilt.
 */
class RedisOutageTest {

    @Test
    void failsClosedWithAClearErrorThenRecoversByItself() {
        try (TestRedis.Server redis = new TestRedis.Server();
             Fixture f = new Fixture(Backend.REDIS, redis.url());
             Limits closed = f.node(null);
             Limits open = f.node(null, true, Duration.ofSeconds(30))) {
            String acc = f.account("pro");
            assertThat(closed.admitModelCall(acc).remaining()).isEqualTo(49);
            JobSlot held = closed.acquireJobSlot(acc, "before-the-outage");

            redis.kill();

            ApiException e = refused(() -> closed.admitModelCall(acc));
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.getMessage()).contains("Limits cannot be checked: Redis at 127.0.0.1:" + redis.port + " cannot be reached")
                    .contains("limits.fail_open").contains("Nothing was run or charged");
            assertThat(e.headers()).containsEntry("Retry-After", "2");
            assertThat(refused(() -> closed.acquireJobSlot(acc, "during-the-outage")).status()).isEqualTo(503);
            held.release(); // must not throw: the place lapses by its lease

            assertThat(closed.admitRead(acc).known()).as("reads are let through while Redis is away").isFalse();
            RateVerdict unlimited = open.admitModelCall(acc);
            assertThat(unlimited.known()).isFalse();
            assertThat(RateLimitTest.headers(unlimited)).containsOnlyKeys("x-ratelimit-limit", "x-rate-limit-limit");
            open.acquireJobSlot(acc, "fail-open").release();

            redis.start(); // same port, empty: Redis kept nothing
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> closed.admitModelCall(acc).known());
            assertThat(closed.admitModelCall(acc).remaining()).isEqualTo(48);
            closed.acquireJobSlot(acc, "after-the-outage").release();
            assertThat(open.admitModelCall(acc).known()).isTrue();
        }
    }

    @Test
    void aGatewayStartedWhileRedisIsDownStartsAndCatchesUp() {
        try (TestRedis.Server redis = new TestRedis.Server(); Fixture f = new Fixture(Backend.REDIS, redis.url())) {
            redis.kill();
            try (Limits limits = f.node(null)) {
                String acc = f.account("free");
                ApiException e = refused(() -> limits.admitModelCall(acc));
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.getMessage()).contains("Redis at 127.0.0.1:" + redis.port + " cannot be reached");
                redis.start();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> limits.admitModelCall(acc).known());
            }
        }
    }
}
