package dev.hearth.runtime;

import dev.hearth.TestClock;
import dev.hearth.http.Json;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runtime.ExecutionLaneBatchingTest.CountingJob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A caller that waits for its job ({@link ExecutionLane#submitAndRun}) runs it on its own thread when nothing is
 * queued, a slot is free and the runner ends on interrupt; the run keeps its timeout and its cancel, and the
 * caller's thread comes back without an interrupt pending. Otherwise the job queues as {@code submit} queues it.
 */
class ExecutionLaneCallerThreadTest {

    /** A runner that records the thread of each call, and can be held at a gate or made to hang. */
    static final class ThreadRecordingRunner implements Runner {
        final boolean endsOnInterrupt;
        final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile CountDownLatch gate = new CountDownLatch(0);
        final CountDownLatch entered = new CountDownLatch(1);

        ThreadRecordingRunner(boolean endsOnInterrupt) {
            this.endsOnInterrupt = endsOnInterrupt;
        }

        @Override
        public RunOutput run(RunInput input) throws Exception {
            threads.add(Thread.currentThread());
            entered.countDown();
            gate.await();
            if (input.params().path("hang").asBoolean()) Thread.sleep(60_000); // until an interrupt ends it
            return new RunOutput.Json(Json.object().put("n", input.params().path("n").asInt()), 1);
        }

        @Override
        public boolean endsOnInterrupt() {
            return endsOnInterrupt;
        }
    }

    /** Slots on one runner that can also be taken without waiting, as a warm model's are. */
    static final class Slots implements ExecutionLane.Runners {
        final Runner runner;
        final Semaphore places;
        volatile int timeoutSeconds = 30;

        Slots(Runner runner, int slots) {
            this.runner = runner;
            this.places = new Semaphore(slots);
        }

        @Override
        public ExecutionLane.Lease acquire(Work work) throws InterruptedException {
            places.acquire();
            return lease();
        }

        @Override
        public ExecutionLane.Lease tryAcquire(Work work) {
            return places.tryAcquire() ? lease() : null;
        }

        private ExecutionLane.Lease lease() {
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

    @Test
    void aLoneCallRunsOnTheCallersThreadAndHasEndedWhenSubmitReturns() throws Exception {
        ThreadRecordingRunner runner = new ThreadRecordingRunner(true);
        Slots slots = new Slots(runner, 2);
        ExecutionLane lane = lane(slots);
        CountingJob job = new CountingJob(7);
        lane.submitAndRun(job);
        assertThat(job.end).isDone();
        assertThat(((RunOutput.Json) ((Execution) job.await()).output()).body().get("n").asInt()).isEqualTo(7);
        assertThat(runner.threads).containsExactly(Thread.currentThread());
        assertThat(slots.places.availablePermits()).as("the slot is free again").isEqualTo(2);
        assertThat(lane.running()).isZero();
    }

    @Test
    void aRunnerThatIgnoresInterruptsRunsOnAThreadOfItsOwn() throws Exception {
        ThreadRecordingRunner runner = new ThreadRecordingRunner(false);
        Slots slots = new Slots(runner, 2);
        CountingJob job = new CountingJob(1);
        lane(slots).submitAndRun(job);
        assertThat(job.await()).isInstanceOf(Execution.class);
        assertThat(runner.threads).hasSize(1).doesNotContain(Thread.currentThread());
        assertThat(runner.threads.getFirst().getName()).as("started from the caller, not the dispatcher").isEqualTo("job-" + job.id());
        waitUntil(() -> slots.places.availablePermits() == 2);
    }

    @Test
    void aRunnerThatIgnoresInterruptsStillTimesOutWithoutHoldingTheCaller() throws Exception {
        ThreadRecordingRunner runner = new ThreadRecordingRunner(false);
        runner.gate = new CountDownLatch(1); // never opened: the call outlives its timeout, as stuck native code would
        Slots slots = new Slots(runner, 1);
        slots.timeoutSeconds = 1;
        CountingJob job = new CountingJob(6);
        ExecutionLane lane = lane(slots);
        lane.submitAndRun(job);
        assertThat(job.end).as("the caller is not the run's thread").isNotDone();
        assertThat(job.await()).isInstanceOf(ExecutionTimeout.class);
        runner.gate.countDown();
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 10 s");
            Thread.sleep(5);
        }
    }

    @Test
    void onTheCallersThreadTheTimeoutStillEndsTheCallAndLeavesNoInterruptBehind() throws Exception {
        ThreadRecordingRunner runner = new ThreadRecordingRunner(true);
        Slots slots = new Slots(runner, 1);
        slots.timeoutSeconds = 1;
        CountingJob job = new CountingJob(2, Json.object().put("hang", true));
        long t0 = System.nanoTime();
        lane(slots).submitAndRun(job);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(job.await()).isInstanceOf(ExecutionTimeout.class);
        assertThat(millis).isBetween(900L, 10_000L);
        assertThat(runner.threads).containsExactly(Thread.currentThread());
        assertThat(Thread.currentThread().isInterrupted()).as("no interrupt of the run is left on the caller's thread").isFalse();
        Thread.sleep(100); // a second report would come from the timer's thread
        assertThat(job.ends.get()).isEqualTo(1);
        assertThat(slots.places.availablePermits()).isEqualTo(1);
    }

    @Test
    void onTheCallersThreadACancelFromElsewhereEndsTheCallOnce() throws Exception {
        ThreadRecordingRunner runner = new ThreadRecordingRunner(true);
        runner.gate = new CountDownLatch(1); // held until interrupted
        Slots slots = new Slots(runner, 1);
        ExecutionLane lane = lane(slots);
        CountingJob job = new CountingJob(3);
        Thread canceler = Thread.ofVirtual().start(() -> {
            try {
                runner.entered.await();
                assertThat(lane.interruptRunning(job.id())).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        lane.submitAndRun(job);
        canceler.join(10_000);
        assertThat(job.await()).isInstanceOf(CancellationException.class);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        Thread.sleep(100);
        assertThat(job.ends.get()).isEqualTo(1);
        assertThat(slots.places.availablePermits()).isEqualTo(1);
        assertThat(lane.running()).isZero();
    }

    @Test
    void withNoSlotFreeTheJobQueuesAndRunsOnceOneIs() throws Exception {
        ThreadRecordingRunner runner = new ThreadRecordingRunner(true);
        runner.gate = new CountDownLatch(1);
        Slots slots = new Slots(runner, 1);
        ExecutionLane lane = lane(slots);
        CountingJob first = new CountingJob(4);
        lane.submit(first); // takes the one slot, held at the gate
        assertThat(runner.entered.await(10, TimeUnit.SECONDS)).isTrue();
        CountingJob second = new CountingJob(5);
        lane.submitAndRun(second);
        assertThat(second.end).as("queued behind the first, not run here").isNotDone();
        assertThat(lane.queued()).isEqualTo(1);
        runner.gate.countDown();
        assertThat(first.await()).isInstanceOf(Execution.class);
        assertThat(second.await()).isInstanceOf(Execution.class);
        assertThat(runner.threads).hasSize(2).doesNotContain(Thread.currentThread());
    }
}
