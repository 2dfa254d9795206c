package dev.hearth.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.TestClock;
import dev.hearth.catalog.Catalog;
import dev.hearth.http.Json;
import dev.hearth.runners.BatchRunner;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.embedding.OnnxEmbeddingRunnerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lane's dynamic batching: concurrent jobs of one lane run as one runner call and each gets its own output
 * and its own end, exactly once, whether the batch succeeds, fails on one bad input, times out, or one of its
 * jobs is canceled. Most tests drive the lane with {@link RecordingRunner}, a test double of a list-taking runner
 * that only echoes each job's number and records the batches it was given (it is no model); the last one runs
 * a real catalog embedding model through the lane.
 */
class ExecutionLaneBatchingTest {

    /** A list-taking runner for the LANE's mechanics: echoes each input's "n", records every call's size. */
    static class RecordingRunner implements BatchRunner {
        final List<Integer> calls = new CopyOnWriteArrayList<>();
        /** While closed, every call waits here (so that jobs pile up behind it). */
        volatile CountDownLatch gate = new CountDownLatch(0);
        final AtomicInteger entered = new AtomicInteger();

        @Override
        public RunOutput run(RunInput input) throws Exception {
            calls.add(1);
            return runBatchInner(List.of(input)).getFirst();
        }

        @Override
        public List<RunOutput> runBatch(List<RunInput> inputs) throws Exception {
            calls.add(inputs.size());
            return runBatchInner(inputs);
        }

        private List<RunOutput> runBatchInner(List<RunInput> inputs) throws Exception {
            entered.incrementAndGet();
            gate.await();
            List<RunOutput> outs = new ArrayList<>();
            for (RunInput in : inputs) {
                if (in.params().path("bad").asBoolean()) throw new RunFailure("input " + in.params().path("n") + " is bad");
                if (in.params().path("hang").asBoolean()) Thread.sleep(60_000); // until the timeout interrupts it
                outs.add(new RunOutput.Json(Json.object().put("n", in.params().path("n").asInt()), in.params().path("n").asInt() + 1));
            }
            return outs;
        }

        @Override
        public long weight(RunOutput output) {
            return ((RunOutput.Json) output).billableUnits();
        }
    }

    /** Runners with a fixed number of slots, all on one runner. */
    static final class Slots implements ExecutionLane.Runners {
        final Runner runner;
        final Semaphore places;
        final int window;
        final int max;
        volatile int timeoutSeconds = 30;
        /** Whether the lane is told how many slots are free (a real model's runners tell it). */
        volatile boolean tellsFreeSlots;

        Slots(Runner runner, int slots, int window, int max) {
            this.runner = runner;
            this.places = new Semaphore(slots);
            this.window = window;
            this.max = max;
        }

        @Override
        public ExecutionLane.Lease acquire(Work work) throws InterruptedException {
            places.acquire();
            return new ExecutionLane.Lease() {
                @Override
                public Runner runner() {
                    return runner;
                }

                @Override
                public void release(boolean served) {
                    places.release();
                }
            };
        }

        @Override
        public int timeoutSeconds() {
            return timeoutSeconds;
        }

        @Override
        public int batchWindowMillis() {
            return window;
        }

        @Override
        public int maxBatch() {
            return max;
        }

        @Override
        public int freeSlots() {
            return tellsFreeSlots ? places.availablePermits() : 0;
        }
    }

    /** A job that counts how often it is told its end: more than once is the bug these tests look for. */
    static final class CountingJob implements Work {
        final String id;
        final ObjectNode params;
        final long admitted = System.nanoTime();
        final AtomicInteger ends = new AtomicInteger();
        final CompletableFuture<Object> end = new CompletableFuture<>();

        CountingJob(int n) {
            this(n, Json.object());
        }

        CountingJob(int n, ObjectNode params) {
            this.id = "job-" + n;
            this.params = params.put("n", n);
        }

        public String id() {
            return id;
        }

        public RunInput input() {
            return new RunInput(id, params, null, Map.of(), null);
        }

        public long admittedNanos() {
            return admitted;
        }

        public boolean start(long queueMillis) {
            return true;
        }

        public void succeeded(Execution execution) {
            ends.incrementAndGet();
            end.complete(execution);
        }

        public void failed(Exception cause) {
            ends.incrementAndGet();
            end.complete(cause);
        }

        Object await() throws Exception {
            return end.get(30, TimeUnit.SECONDS);
        }
    }

    private final List<ExecutionLane> lanes = new ArrayList<>();

    private ExecutionLane lane(ExecutionLane.Runners runners) {
        ExecutionLane lane = new ExecutionLane("Model 'test'", "lane-test", 1000, runners, new TestClock());
        lanes.add(lane);
        return lane;
    }

    @AfterEach
    void close() {
        lanes.forEach(ExecutionLane::close);
    }

    /** One slot, its first call held: the jobs behind it pile up and then run in batches of at most max_batch. */
    @Test
    void jobsThatWaitTogetherRunAsOneCallAndEachGetsItsOwnOutput() throws Exception {
        RecordingRunner runner = new RecordingRunner();
        runner.gate = new CountDownLatch(1);
        ExecutionLane lane = lane(new Slots(runner, 1, 5, 8));
        List<CountingJob> jobs = new ArrayList<>();
        for (int n = 0; n < 21; n++) jobs.add(new CountingJob(n));
        lane.submit(jobs.getFirst());
        waitUntil(() -> runner.entered.get() == 1);
        for (CountingJob j : jobs.subList(1, jobs.size())) lane.submit(j);
        runner.gate.countDown();
        for (CountingJob j : jobs) {
            Execution ex = (Execution) j.await();
            assertThat(((RunOutput.Json) ex.output()).body().get("n").asInt()).as(j.id).isEqualTo(j.params.get("n").asInt());
        }
        // the first ran alone (the lane was idle: no wait), the 20 behind it as 8 + 8 + 4
        assertThat(runner.calls).containsExactly(1, 8, 8, 4);
        Thread.sleep(50); // a second report would come from a run thread that is still finishing
        assertThat(jobs).allSatisfy(j -> assertThat(j.ends.get()).as(j.id).isEqualTo(1));
    }

    /** While other slots are free, a batch leaves them their share: six waiting jobs on three free slots run as 2 + 2 + 2. */
    @Test
    void freeSlotsGetTheirShareOfWhatWaits() throws Exception {
        RecordingRunner runner = new RecordingRunner();
        runner.gate = new CountDownLatch(1);
        Slots runners = new Slots(runner, 3, 50, 8);
        runners.tellsFreeSlots = true;
        runners.places.acquire(3);
        ExecutionLane lane = lane(runners);
        List<CountingJob> jobs = new ArrayList<>();
        for (int n = 0; n < 6; n++) jobs.add(new CountingJob(n));
        for (CountingJob j : jobs) lane.submit(j);
        waitUntil(() -> lane.queued() == 6);
        runners.places.release(3);
        waitUntil(() -> runner.entered.get() == 3);
        assertThat(runner.calls).containsExactly(2, 2, 2);
        runner.gate.countDown();
        for (CountingJob j : jobs) assertThat(j.await()).isInstanceOf(Execution.class);
    }

    /** The batch's time is shared by weight: a job that weighs 3× another gets about 3× its processing time. */
    @Test
    void aBatchsProcessingTimeIsSharedByWeight() throws Exception {
        RecordingRunner runner = new RecordingRunner() {
            @Override
            public List<RunOutput> runBatch(List<RunInput> inputs) throws Exception {
                Thread.sleep(200);
                return super.runBatch(inputs);
            }
        };
        runner.gate = new CountDownLatch(1);
        ExecutionLane lane = lane(new Slots(runner, 1, 5, 8));
        CountingJob first = new CountingJob(0);
        lane.submit(first);
        waitUntil(() -> runner.entered.get() == 1);
        CountingJob light = new CountingJob(0); // weight 1
        CountingJob heavy = new CountingJob(2); // weight 3
        lane.submit(light);
        lane.submit(heavy);
        runner.gate.countDown();
        first.await();
        long lightMillis = ((Execution) light.await()).processingMillis();
        long heavyMillis = ((Execution) heavy.await()).processingMillis();
        assertThat(runner.calls).containsExactly(1, 2);
        assertThat(lightMillis + heavyMillis).isBetween(190L, 2_000L);
        assertThat(heavyMillis).isBetween(lightMillis * 3 - 3, lightMillis * 3 + 3);
    }

    @Test
    void oneBadInputFailsOnlyItsOwnJob() throws Exception {
        RecordingRunner runner = new RecordingRunner();
        runner.gate = new CountDownLatch(1);
        ExecutionLane lane = lane(new Slots(runner, 1, 5, 8));
        CountingJob first = new CountingJob(0);
        lane.submit(first);
        waitUntil(() -> runner.entered.get() == 1);
        CountingJob good1 = new CountingJob(1), bad = new CountingJob(2, Json.object().put("bad", true)), good2 = new CountingJob(3);
        lane.submit(good1);
        lane.submit(bad);
        lane.submit(good2);
        runner.gate.countDown();
        first.await();
        assertThat(bad.await()).isInstanceOf(RunFailure.class);
        assertThat(((Execution) good1.await()).output()).isInstanceOf(RunOutput.Json.class);
        assertThat(((Execution) good2.await()).output()).isInstanceOf(RunOutput.Json.class);
        // the batch of three failed as a whole, then each ran alone
        assertThat(runner.calls).containsExactly(1, 3, 1, 1, 1);
        assertThat(List.of(first, good1, bad, good2)).allSatisfy(j -> assertThat(j.ends.get()).isEqualTo(1));
    }

    /** A canceled job of a running batch ends at once and once; the others run on and complete. */
    @Test
    void cancelingOneJobOfABatchEndsItAloneAndOnce() throws Exception {
        RecordingRunner runner = new RecordingRunner();
        runner.gate = new CountDownLatch(1);
        List<CountingJob> jobs = List.of(new CountingJob(0), new CountingJob(1), new CountingJob(2));
        // all three wait together before the lane takes the first, so they leave as one batch
        Slots runners = new Slots(runner, 1, 50, 8);
        runners.places.acquire();
        ExecutionLane held = lane(runners);
        for (CountingJob j : jobs) held.submit(j);
        runners.places.release();
        waitUntil(() -> runner.entered.get() == 1);
        assertThat(runner.calls).containsExactly(3);
        assertThat(held.interruptRunning("job-1")).isTrue();
        assertThat(jobs.get(1).end).isCompletedWithValueMatching(v -> v instanceof CancellationException);
        assertThat(held.interruptRunning("job-1")).as("already ended").isFalse();
        runner.gate.countDown();
        assertThat(jobs.get(0).await()).isInstanceOf(Execution.class);
        assertThat(jobs.get(2).await()).isInstanceOf(Execution.class);
        Thread.sleep(50);
        assertThat(jobs).allSatisfy(j -> assertThat(j.ends.get()).as(j.id).isEqualTo(1));
        assertThat(held.running()).isZero();
    }

    /** A batch past its execution timeout: every job of it ends with the timeout, once, and the slot is free again. */
    @Test
    void aTimeoutEndsEveryJobOfTheBatchOnce() throws Exception {
        RecordingRunner runner = new RecordingRunner();
        Slots runners = new Slots(runner, 1, 50, 8);
        runners.timeoutSeconds = 1;
        runners.places.acquire();
        ExecutionLane lane = lane(runners);
        List<CountingJob> jobs = List.of(new CountingJob(0, Json.object().put("hang", true)), new CountingJob(1), new CountingJob(2));
        for (CountingJob j : jobs) lane.submit(j);
        runners.places.release();
        for (CountingJob j : jobs) assertThat(j.await()).as(j.id).isInstanceOf(ExecutionTimeout.class);
        CountingJob after = new CountingJob(3);
        lane.submit(after);
        assertThat(after.await()).isInstanceOf(Execution.class);
        Thread.sleep(50);
        assertThat(jobs).allSatisfy(j -> assertThat(j.ends.get()).as(j.id).isEqualTo(1));
        assertThat(runner.calls).containsExactly(3, 1);
    }

    /** The window is for concurrent callers: a call that finds the lane idle starts at once. */
    @Test
    void aLoneCallDoesNotWaitForTheWindow() throws Exception {
        RecordingRunner runner = new RecordingRunner();
        ExecutionLane lane = lane(new Slots(runner, 4, 2_000, 8));
        long t0 = System.nanoTime();
        CountingJob job = new CountingJob(0);
        lane.submit(job);
        assertThat(job.await()).isInstanceOf(Execution.class);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1_000);
    }

    /**
     * A real catalog embedding model behind the lane: 24 concurrent jobs on one slot run in batches, and each gets
     * the vector its text gets alone (the bundled int8 model without paddedBatches loops one run per text, so
     * equal to the last bit).
     */
    @Test
    void aRealEmbeddingModelGivesEachBatchedJobItsOwnVector() throws Exception {
        BatchRunner model = (BatchRunner) new OnnxEmbeddingRunnerFactory().boot(Catalog.load("").resolve("all-minilm-l6-v2").runner(), BootProgress.NONE);
        try {
            List<Integer> batches = new CopyOnWriteArrayList<>();
            BatchRunner recorded = new BatchRunner() {
                @Override
                public RunOutput run(RunInput input) throws Exception {
                    batches.add(1);
                    return model.run(input);
                }

                @Override
                public List<RunOutput> runBatch(List<RunInput> inputs) throws Exception {
                    batches.add(inputs.size());
                    return model.runBatch(inputs);
                }
            };
            ExecutionLane lane = lane(new Slots(recorded, 1, 5, 8));
            List<CountingJob> jobs = new ArrayList<>();
            for (int n = 0; n < 24; n++) jobs.add(new CountingJob(n, Json.object().put("text", "sentence number " + n + " about cats")));
            for (CountingJob j : jobs) lane.submit(j);
            for (CountingJob j : jobs) {
                Execution ex = (Execution) j.await();
                var body = ((RunOutput.Json) ex.output()).body();
                var alone = ((RunOutput.Json) model.run(new RunInput("alone", Json.object().put("text", j.params.get("text").asText()), null))).body();
                assertThat(body.get("embeddings")).as(j.id).isEqualTo(alone.get("embeddings"));
                assertThat(body.get("tokens")).isEqualTo(alone.get("tokens"));
            }
            assertThat(batches).as("some jobs ran together").anyMatch(size -> size > 1);
            assertThat(batches.stream().mapToInt(Integer::intValue).sum()).isEqualTo(24);
        } finally {
            model.close();
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 10 s");
            Thread.sleep(2);
        }
    }
}
