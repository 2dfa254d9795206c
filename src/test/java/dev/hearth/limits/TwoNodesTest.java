package dev.hearth.limits;

import dev.hearth.limits.Fixture.Backend;
import dev.hearth.limits.Fixture.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static dev.hearth.limits.JobSlotTest.race;
import static dev.hearth.limits.RateLimitTest.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateways sharing one Redis, each with its own connection, as two processes would be: an account's
 * limits hold exactly across them, and the job places of a gateway that dies are freed by their lease.
 */
class TwoNodesTest {

    @Test
    void aHundredCallsOverTwoNodesAdmitExactlyTwenty() throws Exception {
        ManualTime frozen = new ManualTime(); // no refill during the race: the answer must be exactly 20
        try (Fixture f = new Fixture(Backend.REDIS); Limits a = f.node(frozen); Limits b = f.node(frozen)) {
            String acc = f.account("free", new LimitOverrides(20L, null, null));
            int refusedCount = race(100, i -> (i % 2 == 0 ? a : b).admitModelCall(acc));
            assertThat(100 - refusedCount).isEqualTo(20);
        }
    }

    @Test
    void onTheWallClockTheyAdmitTwentyPlusOnlyWhatRefilledMeanwhile() throws Exception {
        try (Fixture f = new Fixture(Backend.REDIS); Limits a = f.node(null); Limits b = f.node(null)) {
            String acc = f.account("free", new LimitOverrides(20L, null, null));
            long start = System.nanoTime();
            int passed = 100 - race(100, i -> (i % 2 == 0 ? a : b).admitModelCall(acc));
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            // one token comes back every 3 s on 20/min; a fast run (the usual case) admits exactly 20
            assertThat(passed).as("admitted in %d ms", elapsedMillis).isBetween(20, 20 + (int) (elapsedMillis / 3000));
        }
    }

    @Test
    void jobPlacesAreExactAcrossNodes() throws Exception {
        try (Fixture f = new Fixture(Backend.REDIS); Limits a = f.node(null); Limits b = f.node(null)) {
            String acc = f.account("pro", new LimitOverrides(null, null, 7));
            Queue<JobSlot> slots = new ConcurrentLinkedQueue<>();
            int refusedCount = race(60, i -> slots.add((i % 2 == 0 ? a : b).acquireJobSlot(acc, "req-" + i)));
            assertThat(slots).hasSize(7);
            assertThat(refusedCount).isEqualTo(53);
            slots.poll().release();
            // the freed place is visible to the other node once its release reached Redis
            JobSlot next = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> b.acquireJobSlot(acc, "next"), java.util.Objects::nonNull);
            refused(() -> a.acquireJobSlot(acc, "one-too-many"));
            next.release();
            slots.forEach(JobSlot::release);
        }
    }

    @Test
    void theJobPlacesOfADeadNodeLapseAndThoseOfALiveOneDoNot() {
        Duration lease = Duration.ofSeconds(1);
        try (Fixture f = new Fixture(Backend.REDIS); Limits survivor = f.node(null, false, lease)) {
            String acc = f.account("free");
            Limits doomed = f.node(null, false, lease);
            doomed.acquireJobSlot(acc, "held-by-doomed");
            refused(() -> survivor.acquireJobSlot(acc, "wants-a-place"));
            sleep(2_500); // over two leases: only renewal keeps the place
            refused(() -> survivor.acquireJobSlot(acc, "wants-a-place"));

            doomed.close(); // stops renewing without releasing, as a crashed process would
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> survivor.acquireJobSlot(acc, "wants-a-place") != null);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
