package dev.hearth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Accounts;
import dev.hearth.accounts.Principal;
import dev.hearth.billing.CreditHold;
import dev.hearth.billing.HoldState;
import dev.hearth.billing.Ledger;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.config.ConfigLoader;
import dev.hearth.config.HearthConfig;
import dev.hearth.http.Json;
import dev.hearth.runners.RunOutput;
import dev.hearth.runtime.Execution;
import dev.hearth.runtime.ExecutionLane;
import dev.hearth.runtime.ExecutionTimeout;
import dev.hearth.runtime.JobLane;
import dev.hearth.runtime.ModelPool;
import dev.hearth.runtime.QueueFull;
import dev.hearth.runtime.Work;
import dev.hearth.store.Database;
import dev.hearth.usage.UsageRecorder;
import dev.hearth.TestClock;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each job ends exactly once, whatever races to end it: its lane worker completing it, timing it out or
 * reporting it canceled, its v1 caller giving up (also while the worker holds it during a model boot, the case
 * that used to leave the caller waiting forever), and a v2 cancel. The lane here is driven by the test's own
 * threads with the same states a real lane has (queued, taken while booting, running), so every interleaving
 * the scheduler finds is one a real lane can produce. After the storm: every caller has its answer, every hold
 * is closed the way the answer says (charged iff completed), nothing stays held, and the account paid exactly
 * the sum of the completed jobs' costs.
 */
class JobSettlesOnceTest {

    static final long PRICE = 10_000_000L; // one cent

    /** A lane whose worker is the test: queued → taken (model booting) → running, with interrupts as a real lane's. */
    static final class HandLane implements JobLane {
        final Set<String> queued = ConcurrentHashMap.newKeySet();
        final Set<String> running = ConcurrentHashMap.newKeySet();
        final Set<String> interrupted = ConcurrentHashMap.newKeySet();

        @Override
        public void submit(Work work) {
            queued.add(work.id());
        }

        @Override
        public boolean removeQueued(String jobId) {
            return queued.remove(jobId);
        }

        @Override
        public boolean interruptRunning(String jobId) {
            if (!running.contains(jobId)) return false;
            interrupted.add(jobId);
            return true;
        }

        /** A worker takes the job from the queue; false when a cancel or give-up took it out first. */
        boolean take(String jobId) {
            return queued.remove(jobId);
        }
    }

    @Test
    void completeCancelTimeoutAndGiveUpRacingEndEachJobExactlyOnce() throws Exception {
        Path dir = Files.createTempDirectory("hearth-race");
        Path catalogDir = Files.createDirectories(dir.resolve("catalog"));
        Files.writeString(catalogDir.resolve("race-model.yaml"), """
                slug: race-model
                title: race model (test only)
                category: test
                pricing: {type: per_call, price: 0.01}
                runner: {type: none}
                scaling: {execution_timeout: 30}
                input_schema: {type: object}
                """);
        HearthConfig config = ConfigLoader.load(null, Map.of(), Map.of("data_dir", dir.resolve("data").toString()));
        TestClock clock = new TestClock();
        int jobs = 300;
        try (Database db = Database.open(config); UsageRecorder usage = new UsageRecorder(db)) {
            Ledger ledger = new Ledger(db, clock);
            Accounts accounts = new Accounts(db, ledger, clock);
            String account = accounts.create("racer", "free", jobs * PRICE * 2).accountId();
            long before = ledger.balance(account).total();
            Catalog catalog = Catalog.load(catalogDir.toString());
            ModelSpec model = catalog.find("race-model");
            ModelPool pool = new ModelPool(catalog, Map.of(), clock);
            JobEngine engine = new JobEngine(ledger, pool, new JobStore(db, config.jobs().leaseSeconds() * 1000L), usage, new ModelResolver(catalog, pool, EndpointTargets.NONE),
                    clock, config.jobs(), false);
            HandLane lane = new HandLane();
            Principal caller = new Principal(account, null, false);

            List<Job> all = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                String id = "job-" + i;
                boolean durable = i % 2 == 0;
                CreditHold hold = ledger.hold(account, id, PRICE, 60_000);
                ObjectNode params = Json.object();
                Job job = new Job(id, caller, model, params, Map.of(), params, null, null, hold, null, null,
                        durable, null, clock.millis(), System.nanoTime(), engine);
                job.lane = lane;
                if (durable) engine.store().insert(job, config.jobs().nodeId(), "{}", null, null);
                engine.submit(job);
                all.add(job);
            }

            ExecutorService threads = Executors.newFixedThreadPool(8);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> tasks = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                Job job = all.get(i);
                int ending = i % 3; // what the run itself comes to: success, execution timeout, or the runner failing
                tasks.add(threads.submit(() -> {
                    go.await();
                    work(lane, job, ending, clock);
                    return null;
                }));
                tasks.add(threads.submit(() -> {
                    go.await();
                    if (ThreadLocalRandom.current().nextBoolean()) engine.giveUp(job, new QueueFull("no free capacity in time"));
                    return null;
                }));
                if (job.durable) tasks.add(threads.submit(() -> {
                    go.await();
                    if (ThreadLocalRandom.current().nextInt(3) == 0) engine.cancel(caller, job.id);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> t : tasks) t.get(60, TimeUnit.SECONDS);
            threads.shutdown();

            long charged = 0;
            for (Job job : all) {
                // a job left unsettled would leave its caller waiting here
                if (!job.outcome.isDone()) {
                    // its worker skipped it or never took it: only a give-up or cancel can still be pending; nothing else may be
                    assertThat(lane.queued).as("job %s is neither answered nor waiting in its queue", job.id).contains(job.id);
                    engine.giveUp(job, new QueueFull("no free capacity in time"));
                }
                JobOutcome outcome = job.outcome.get(5, TimeUnit.SECONDS);
                HoldState holdState = ledger.holdState(job.hold.id()).orElseThrow();
                switch (outcome) {
                    case JobOutcome.Completed c -> {
                        assertThat(holdState).as(job.id).isEqualTo(HoldState.SETTLED);
                        assertThat(c.result().cost()).isEqualTo(PRICE);
                        charged += c.result().cost();
                        if (job.durable) assertThat(engine.store().find(job.id).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
                    }
                    case JobOutcome.Failed f -> {
                        assertThat(holdState).as(job.id).isEqualTo(HoldState.VOIDED);
                        if (job.durable) assertThat(engine.store().find(job.id).orElseThrow().status()).isIn(JobStatus.FAILED, JobStatus.CANCELED);
                    }
                }
            }
            assertThat(ledger.balance(account).held()).isZero();
            assertThat(before - ledger.balance(account).total()).isEqualTo(charged);
            assertThat(charged).as("some jobs completed despite the races").isPositive();
        }
    }

    /**
     * The same storm on a real {@link ExecutionLane} that batches: 200 jobs on two slots of a list-taking runner
     * (a test double for the lane that echoes each job's number; it is no model), gathered into batches of up to
     * 8. Some jobs hang until their batch's execution timeout (which then ends every job of that batch), some are
     * bad (their batch fails and each job runs alone), and give-ups and cancels land on jobs while they are
     * queued, gathered into a batch, or running in one. Every job must end once, with its own output when it
     * completes, and the money must add up as above.
     */
    @Test
    void batchedJobsSettleExactlyOnceWhateverEndsThem() throws Exception {
        Path dir = Files.createTempDirectory("hearth-batch-race");
        Path catalogDir = Files.createDirectories(dir.resolve("catalog"));
        Files.writeString(catalogDir.resolve("race-model.yaml"), """
                slug: race-model
                title: race model (test only)
                category: test
                pricing: {type: per_call, price: 0.01}
                runner: {type: none}
                scaling: {execution_timeout: 1}
                input_schema: {type: object}
                """);
        HearthConfig config = ConfigLoader.load(null, Map.of(), Map.of("data_dir", dir.resolve("data").toString()));
        TestClock clock = new TestClock();
        int jobs = 200;
        List<Integer> batchSizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.hearth.runners.BatchRunner echo = new dev.hearth.runners.BatchRunner() {
            @Override
            public RunOutput run(dev.hearth.runners.RunInput input) throws Exception {
                return runBatch(List.of(input)).getFirst();
            }

            @Override
            public List<RunOutput> runBatch(List<dev.hearth.runners.RunInput> inputs) throws Exception {
                batchSizes.add(inputs.size());
                Thread.sleep(ThreadLocalRandom.current().nextInt(3)); // long enough for give-ups to land mid-run
                List<RunOutput> outs = new ArrayList<>();
                for (var in : inputs) {
                    if (in.params().path("hang").asBoolean()) Thread.sleep(60_000); // until the timeout interrupts it
                    if (in.params().path("bad").asBoolean()) throw new dev.hearth.runners.RunFailure("bad input");
                    outs.add(new RunOutput.Json(Json.object().put("n", in.params().path("n").asInt()), 0));
                }
                return outs;
            }
        };
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(2);
        ExecutionLane lane = new ExecutionLane("Model 'race-model'", "lane-race", 1000, new ExecutionLane.Runners() {
            @Override
            public ExecutionLane.Lease acquire(Work work) throws InterruptedException {
                slots.acquire();
                return new ExecutionLane.Lease() {
                    @Override
                    public dev.hearth.runners.Runner runner() {
                        return echo;
                    }

                    @Override
                    public void release(boolean served) {
                        slots.release();
                    }
                };
            }

            @Override
            public int timeoutSeconds() {
                return 1;
            }

            @Override
            public int batchWindowMillis() {
                return 2;
            }

            @Override
            public int maxBatch() {
                return 8;
            }
        }, clock);
        try (Database db = Database.open(config); UsageRecorder usage = new UsageRecorder(db)) {
            Ledger ledger = new Ledger(db, clock);
            Accounts accounts = new Accounts(db, ledger, clock);
            String account = accounts.create("racer", "free", jobs * PRICE * 2).accountId();
            long before = ledger.balance(account).total();
            Catalog catalog = Catalog.load(catalogDir.toString());
            ModelSpec model = catalog.find("race-model");
            ModelPool pool = new ModelPool(catalog, Map.of(), clock);
            JobEngine engine = new JobEngine(ledger, pool, new JobStore(db, config.jobs().leaseSeconds() * 1000L), usage, new ModelResolver(catalog, pool, EndpointTargets.NONE),
                    clock, config.jobs(), false);
            Principal caller = new Principal(account, null, false);

            List<Job> all = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                String id = "job-" + i;
                boolean durable = i % 2 == 0;
                CreditHold hold = ledger.hold(account, id, PRICE, 60_000);
                ObjectNode params = Json.object().put("n", i);
                if (i % 50 == 7) params.put("hang", true);
                if (i % 11 == 3) params.put("bad", true);
                Job job = new Job(id, caller, model, params, Map.of(), params, null, null, hold, null, null,
                        durable, null, clock.millis(), System.nanoTime(), engine);
                job.lane = lane;
                if (durable) engine.store().insert(job, config.jobs().nodeId(), "{}", null, null);
                all.add(job);
            }

            ExecutorService threads = Executors.newFixedThreadPool(8);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> tasks = new ArrayList<>();
            for (Job job : all) {
                tasks.add(threads.submit(() -> {
                    go.await();
                    engine.submit(job);
                    return null;
                }));
                tasks.add(threads.submit(() -> {
                    go.await();
                    Thread.sleep(ThreadLocalRandom.current().nextInt(20));
                    if (ThreadLocalRandom.current().nextInt(4) == 0) engine.giveUp(job, new QueueFull("no free capacity in time"));
                    return null;
                }));
                if (job.durable) tasks.add(threads.submit(() -> {
                    go.await();
                    Thread.sleep(ThreadLocalRandom.current().nextInt(20));
                    if (ThreadLocalRandom.current().nextInt(4) == 0) engine.cancel(caller, job.id);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> t : tasks) t.get(60, TimeUnit.SECONDS);
            threads.shutdown();

            long charged = 0;
            int completed = 0;
            for (Job job : all) {
                // every job ends on its own (run, timeout, bad input, give-up or cancel): none may be left waiting
                JobOutcome outcome = job.outcome.get(30, TimeUnit.SECONDS);
                HoldState holdState = ledger.holdState(job.hold.id()).orElseThrow();
                switch (outcome) {
                    case JobOutcome.Completed c -> {
                        assertThat(holdState).as(job.id).isEqualTo(HoldState.SETTLED);
                        assertThat(job.params.has("hang") || job.params.has("bad")).as(job.id).isFalse();
                        // its own output, not a neighbour's from the same batch
                        assertThat(((RunOutput.Json) c.result().output()).body().get("n").asInt()).as(job.id).isEqualTo(job.params.get("n").asInt());
                        charged += c.result().cost();
                        completed++;
                        if (job.durable) assertThat(engine.store().find(job.id).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
                    }
                    case JobOutcome.Failed f -> {
                        assertThat(holdState).as(job.id).isEqualTo(HoldState.VOIDED);
                        if (job.durable) assertThat(engine.store().find(job.id).orElseThrow().status()).isIn(JobStatus.FAILED, JobStatus.CANCELED);
                    }
                }
            }
            assertThat(ledger.balance(account).held()).isZero();
            assertThat(before - ledger.balance(account).total()).isEqualTo(charged);
            assertThat(completed).as("some jobs completed despite the races").isPositive();
            assertThat(batchSizes).as("jobs were batched").anyMatch(size -> size > 1);
            assertThat(lane.running()).isZero();
        } finally {
            lane.close();
        }
    }

    /** One lane worker's handling of one job, as an ExecutionLane does it: take, wait for the runner (boot), start, run, report. */
    private static void work(HandLane lane, Job job, int ending, TestClock clock) {
        if (!lane.take(job.id)) return;
        Thread.yield(); // the model boots while the worker holds the job: a give-up may land now
        if (!job.start(0)) return;
        lane.running.add(job.id);
        Thread.yield();
        lane.running.remove(job.id);
        clock.advance(Duration.ofMillis(5));
        if (lane.interrupted.contains(job.id)) {
            job.failed(new CancellationException("interrupted"));
            return;
        }
        switch (ending) {
            case 0 -> job.succeeded(new Execution(new RunOutput.Json(Json.object().put("ok", true), 0), 0, 5, clock.millis()));
            case 1 -> job.failed(new ExecutionTimeout("did not finish within its execution timeout"));
            default -> job.failed(new dev.hearth.runners.RunFailure("the model refused the input"));
        }
    }
}
