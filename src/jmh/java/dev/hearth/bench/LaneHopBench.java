package dev.hearth.bench;

import dev.hearth.http.Json;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runtime.Execution;
import dev.hearth.runtime.ExecutionLane;
import dev.hearth.runtime.Work;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * What the execution lane itself costs a lone call: submit one job, wait for its end, with a runner that answers
 * at once (plumbing, no model), so that all that is measured is the queue, the dispatcher and the threads the job
 * hops between. Run it against two builds of {@code ExecutionLane} (bench/README.md, "Thread hops of a lone call")
 * to see what a hop costs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class LaneHopBench {

    static final RunOutput ANSWER = new RunOutput.Json(Json.object().put("ok", true), 0);

    @State(Scope.Benchmark)
    public static class Lane {
        ExecutionLane lane;

        @Setup(Level.Trial)
        public void start() {
            Runner runner = input -> ANSWER;
            Semaphore slots = new Semaphore(4);
            lane = new ExecutionLane("Model 'bench'", "lane-bench", 256, new ExecutionLane.Runners() {
                @Override
                public ExecutionLane.Lease acquire(Work work) throws InterruptedException {
                    slots.acquire();
                    return new ExecutionLane.Lease() {
                        @Override
                        public Runner runner() {
                            return runner;
                        }

                        @Override
                        public void release(boolean served) {
                            slots.release();
                        }
                    };
                }

                @Override
                public int timeoutSeconds() {
                    return 60;
                }
            }, Clock.systemUTC());
        }

        @TearDown(Level.Trial)
        public void stop() {
            lane.close();
        }
    }

    static final class Job implements Work {
        final CompletableFuture<Object> end = new CompletableFuture<>();
        final long admitted = System.nanoTime();

        public String id() {
            return "bench";
        }

        public RunInput input() {
            return new RunInput("bench", Json.object(), null, Map.of(), null);
        }

        public long admittedNanos() {
            return admitted;
        }

        public boolean start(long queueMillis) {
            return true;
        }

        public void succeeded(Execution execution) {
            end.complete(execution);
        }

        public void failed(Exception cause) {
            end.complete(cause);
        }
    }

    @Benchmark
    public Object loneCall(Lane lane) throws Exception {
        Job job = new Job();
        lane.lane.submit(job);
        return job.end.get();
    }
}
