package dev.hearth.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.Catalog;
import dev.hearth.http.Json;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;
import dev.hearth.TestClock;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model pool decides "idle long enough to unload" by its clock: the test runs a job, then moves the clock
 * instead of sleeping through the idle timeout, and asks the reaper directly.
 */
class ModelPoolClockTest {

    /** A runner type that answers at once and counts its boots and closes: plumbing only, never a model. */
    static final class CountingRunners implements RunnerFactory {
        final AtomicInteger boots = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public String type() {
            return "counting";
        }

        @Override
        public Runner boot(RunnerSpec spec, BootProgress progress) {
            boots.incrementAndGet();
            return new Runner() {
                @Override
                public RunOutput run(RunInput input) {
                    return new RunOutput.Json(Json.object().put("ok", true), 0);
                }

                @Override
                public void close() {
                    closes.incrementAndGet();
                }
            };
        }
    }

    /** A job whose end the test waits for. */
    static final class Job implements Work {
        final String id;
        final CompletableFuture<Execution> done = new CompletableFuture<>();
        final long admitted = System.nanoTime();

        Job(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public RunInput input() {
            ObjectNode params = Json.object();
            return new RunInput(id, params, null, Map.of(), null);
        }

        public long admittedNanos() {
            return admitted;
        }

        public boolean start(long queueMillis) {
            return true;
        }

        public void succeeded(Execution execution) {
            done.complete(execution);
        }

        public void failed(Exception cause) {
            done.completeExceptionally(cause);
        }
    }

    @Test
    void aModelIsUnloadedOnlyOnceItsClockSaysItHasBeenIdleForItsTimeout() throws Exception {
        Path dir = Files.createTempDirectory("hearth-pool-clock");
        Files.writeString(dir.resolve("counted.yaml"), """
                slug: counted
                title: counted (test only)
                category: test
                pricing: {type: per_call, price: 0.01}
                runner: {type: counting}
                scaling: {execution_timeout: 30, idle_timeout: 60, slots: 1}
                input_schema: {type: object}
                """);
        Catalog catalog = Catalog.load(dir.toString());
        TestClock clock = new TestClock();
        CountingRunners runners = new CountingRunners();
        try (ModelPool pool = new ModelPool(catalog, Map.of("counting", runners), clock)) {
            Job first = new Job("j1");
            pool.lane(catalog.find("counted")).submit(first);
            first.done.get(30, TimeUnit.SECONDS);
            assertThat(pool.status("counted").state()).isEqualTo(ModelState.WARM);

            clock.advance(Duration.ofSeconds(59));
            pool.unloadIdle();
            assertThat(pool.status("counted").state()).as("59 s idle of 60").isEqualTo(ModelState.WARM);

            clock.advance(Duration.ofSeconds(1));
            pool.unloadIdle();
            assertThat(pool.status("counted").state()).isEqualTo(ModelState.COLD);
            assertThat(runners.closes.get()).isEqualTo(1);

            // the next job boots it again
            Job second = new Job("j2");
            pool.lane(catalog.find("counted")).submit(second);
            second.done.get(30, TimeUnit.SECONDS);
            assertThat(runners.boots.get()).isEqualTo(2);
        }
    }
}
