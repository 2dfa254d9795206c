package dev.hearth.limits;

import dev.hearth.http.ApiException;
import dev.hearth.limits.Fixture.Backend;
import dev.hearth.limits.Fixture.ManualTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.hearth.limits.RateLimitTest.refused;
import static org.assertj.core.api.Assertions.assertThat;

/** The concurrent-job limit on both backends: exact under contention, idempotent release, one place per request id. */
class JobSlotTest {

    final ManualTime time = new ManualTime();

    @ParameterizedTest
    @EnumSource(Backend.class)
    void freePlanRunsOneJobAtATime(Backend backend) {
        try (Fixture f = new Fixture(backend); Limits limits = f.node(time)) {
            String acc = f.account("free");
            JobSlot first = limits.acquireJobSlot(acc, "req-1");
            Instant before = Instant.now();
            ApiException e = refused(() -> limits.acquireJobSlot(acc, "req-2"));
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.getMessage()).contains("Concurrency limit reached").contains("already has 1 job queued or running")
                    .contains("of plan 'free'").contains("(1)");
            assertThat(e.headers()).containsEntry("Retry-After", "1");
            assertThat(Instant.parse(e.headers().get("x-rate-limit-reset-at-utc"))).isAfter(before.minusSeconds(1));

            first.release();
            first.release(); // the second release must not free anyone else's place
            JobSlot second = limits.acquireJobSlot(acc, "req-2");
            refused(() -> limits.acquireJobSlot(acc, "req-3"));
            second.close();
            limits.acquireJobSlot(acc, "req-3").release();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theSameRequestTakesOnePlace(Backend backend) {
        try (Fixture f = new Fixture(backend); Limits limits = f.node(time)) {
            String acc = f.account("free", new LimitOverrides(null, null, 2));
            JobSlot a = limits.acquireJobSlot(acc, "req-1");
            JobSlot again = limits.acquireJobSlot(acc, "req-1");
            JobSlot b = limits.acquireJobSlot(acc, "req-2");
            ApiException e = refused(() -> limits.acquireJobSlot(acc, "req-3"));
            assertThat(e.getMessage()).contains("already has 2 jobs").contains("set for this account (plan 'free')");
            a.release();
            again.release();
            b.release();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void simultaneousAcquiresGetExactlyTheLimit(Backend backend) throws Exception {
        try (Fixture f = new Fixture(backend); Limits limits = f.node(time)) {
            String acc = f.account("pro", new LimitOverrides(null, null, 7));
            Queue<JobSlot> slots = new ConcurrentLinkedQueue<>();
            int refusedCount = race(64, i -> slots.add(limits.acquireJobSlot(acc, "req-" + i)));
            assertThat(slots).hasSize(7);
            assertThat(refusedCount).isEqualTo(57);
            slots.forEach(JobSlot::release);
            slots.clear();
            refusedCount = race(64, i -> slots.add(limits.acquireJobSlot(acc, "again-" + i)));
            assertThat(slots).as("every released place is free again").hasSize(7);
            slots.forEach(JobSlot::release);
        }
    }

    interface Attempt {
        void run(int i);
    }

    /** Runs n attempts at once on virtual threads; returns how many were refused with 429. */
    static int race(int n, Attempt attempt) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        attempt.run(id);
                        return true;
                    } catch (ApiException e) {
                        if (e.status() != 429) throw e;
                        return false;
                    }
                }));
            }
            go.countDown();
            int refused = 0;
            for (Future<Boolean> r : results) if (!r.get()) refused++;
            return refused;
        }
    }
}
