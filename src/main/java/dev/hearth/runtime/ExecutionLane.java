package dev.hearth.runtime;

import dev.hearth.runners.BatchRunner;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where every job waits and runs, for a catalog model and a dedicated endpoint alike: a bounded queue; one
 * dispatcher that takes the next job and waits for a runner with a free slot (which may mean a boot, or an
 * endpoint scaling up), as {@link Runners} decide; then the run on a virtual thread of its own, which calls the
 * runner itself, under the execution timeout (a timer ends the run's jobs and interrupts that thread). Queue time
 * is admission to start, boot included; the processing time is what the runner took (or what a remote worker
 * says it took, never more).
 *
 * <p>Dynamic batching: when the runner takes lists ({@link BatchRunner}) and the model's scaling allows it, the
 * dispatcher lets other waiting jobs join the run ({@link #gather}), up to {@code max_batch}, for at most
 * {@code batch_window_ms}; the run is one runner call and each job gets its own output, processing time (its
 * share of the call, by the runner's weights) and end. Each job was admitted, held and is settled as its own.
 *
 * <p>A caller that waits for its job on its own thread (a v1 call) skips the dispatcher when nothing is ahead of it
 * (the queue is empty and a runner slot is free at once): it runs the job itself when the runner says an
 * interrupt ends its call ({@link Runner#endsOnInterrupt}, an HTTP upstream), and otherwise starts the run's
 * thread itself. The run is the same {@link Run}, under the same timeout and withdrawal, without the three
 * thread hand-offs (caller → dispatcher → run thread → caller) a queued job takes, or with one of them.
 *
 * <p>A job can be withdrawn in each of its three places: queued ({@link #removeQueued}), held by the dispatcher
 * while a runner comes up or a batch gathers (the job engine ends it; {@link Work#start} then says to skip it), or
 * running ({@link #interruptRunning}: it ends at once, its batch runs on for the others). Each job's end is
 * reported to it exactly once, by whichever of its run, its timeout or its withdrawal claims it first.
 */
public final class ExecutionLane implements JobLane {

    /** Where this lane's jobs run: a catalog model's instance, or an endpoint's workers. */
    public interface Runners {

        /**
         * Blocks until a runner can take one more job, booting one when none is up; {@link ModelUnavailable} when
         * none can come up for this job (its boot failed, the endpoint was suspended or deleted).
         */
        Lease acquire(Work work) throws ModelUnavailable, InterruptedException;

        /** The execution timeout now (an endpoint's can change while it serves). */
        int timeoutSeconds();

        /** How long a run waits for more jobs to join its batch ({@code scaling.batch_window_ms}); 0: no batching. */
        default int batchWindowMillis() {
            return 0;
        }

        /** The most jobs one runner call takes ({@code scaling.max_batch}); 1: no batching. */
        default int maxBatch() {
            return 1;
        }

        /**
         * A runner slot at once, or null when taking one would wait (no slot free, no runner warm, a boot or a
         * scale-up needed): the job then queues. Never blocks.
         */
        default Lease tryAcquire(Work work) {
            return null;
        }

        /** Slots free right now besides the one just acquired; 0 when unknown (a batch then takes all that waits). */
        default int freeSlots() {
            return 0;
        }
    }

    /** One runner slot taken for one job. */
    public interface Lease {

        Runner runner();

        /** The runner call returned: after a timeout, native code may return long after the job ended. */
        default void callReturned() {
        }

        /** How many jobs the slot's run completed (a batch completes several); called once, before {@link #release}, when any did. */
        default void served(int jobs) {
        }

        /** The job (or the batch) ended, so its slot is free again; {@code served} when it completed. */
        void release(boolean served);
    }

    /**
     * Each run's execution timeout. A run's thread calls the runner itself (no second thread waits on it): when
     * the timeout fires first, the timer ends the run's jobs and interrupts the thread.
     */
    private static final Deadlines DEADLINES = new Deadlines();

    /**
     * The execution timeouts of every lane, gathered into ticks of 50 ms: a run joins the first tick at or after
     * its deadline, and only the first run of a tick schedules a timer task, so the timer thread wakes once per
     * tick, not once per call (a timer task per run woke it on every call, as each new task became the earliest).
     * A timeout fires at most one tick late, never early. One daemon thread serves every lane; it only starts a
     * virtual thread per timed-out run, so a slow settlement never delays another lane.
     */
    private static final class Deadlines {
        private static final long TICK_NANOS = 50_000_000L;
        private final ScheduledThreadPoolExecutor timer =
                new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon().name("hearth-run-timeouts").unstarted(r));
        /** Each tick's runs, by tick number (System.nanoTime() / TICK_NANOS); a run that ends in time leaves its set. */
        private final ConcurrentHashMap<Long, Set<Run>> ticks = new ConcurrentHashMap<>();

        /** Registers the run's timeout; the run leaves the returned set when it ends in time. */
        Set<Run> add(Run run, long timeoutNanos) {
            long tick = Math.floorDiv(System.nanoTime() + timeoutNanos, TICK_NANOS) + 1;
            // compute is atomic with fire's remove for the same tick: a run never joins a set that already fired
            return ticks.compute(tick, (k, set) -> {
                if (set == null) {
                    set = ConcurrentHashMap.newKeySet();
                    timer.schedule(() -> fire(k), k * TICK_NANOS - System.nanoTime(), TimeUnit.NANOSECONDS);
                }
                set.add(run);
                return set;
            });
        }

        private void fire(long tick) {
            Set<Run> due = ticks.remove(tick);
            if (due == null) return;
            for (Run r : due) Thread.ofVirtual().name("timeout-" + r.jobs.getFirst().id()).start(r::timedOut);
        }
    }

    private final String name;
    private final Runners runners;
    private final Clock clock;
    private final LinkedBlockingQueue<Work> queue;
    /** The run each running job belongs to, by job id; a job leaves it when its end is reported. */
    private final Map<String, Run> running = new ConcurrentHashMap<>();
    private final Thread dispatcher;
    /** The job the dispatcher holds while it waits for a runner; it still counts as queued. */
    private volatile Work taken;
    private volatile boolean stopped;
    private volatile boolean closed;
    /** Runs started whose jobs have not all been reported: {@link #close} waits for them, so their ends are settled before the store closes. */
    private final AtomicInteger unreported = new AtomicInteger();
    /** Runs started and the jobs they carried, since the lane began: jobs ÷ runs is the mean batch (status, tests). */
    private final java.util.concurrent.atomic.AtomicLong runsStarted = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong jobsStarted = new java.util.concurrent.atomic.AtomicLong();

    /** {@code name} starts the lane's messages: "Model 'x'" or "Endpoint 'y'". */
    public ExecutionLane(String name, String threadName, int queueSize, Runners runners, Clock clock) {
        this.name = name;
        this.runners = runners;
        this.clock = clock;
        this.queue = new LinkedBlockingQueue<>(queueSize);
        this.dispatcher = Thread.ofVirtual().name(threadName).start(this::dispatch);
    }

    @Override
    public void submit(Work w) throws QueueFull {
        if (stopped) throw new QueueFull("Hearth is shutting down and takes no new jobs");
        if (!queue.offer(w)) throw new QueueFull(name + " has " + queue.size() + " jobs waiting, its limit; try again shortly");
    }

    /**
     * When nothing is ahead of the job and a runner slot is free at once, runs it on the caller's thread (a runner
     * that ends on interrupt: the job has then ended when this returns) or starts its run from here; otherwise
     * queues it as {@link #submit} does.
     */
    @Override
    public void submitAndRun(Work w) throws QueueFull {
        if (stopped) throw new QueueFull("Hearth is shutting down and takes no new jobs");
        if (queue.isEmpty() && taken == null) {
            Lease lease = runners.tryAcquire(w);
            if (lease != null) {
                if (lease.runner().endsOnInterrupt()) runHere(w, lease);
                else startHere(w, lease);
                return;
            }
        }
        submit(w);
    }

    /**
     * The job's run on a thread of its own, started from the caller's thread: a runner whose call an interrupt
     * may not end (native code) must leave the caller free to answer at the timeout, but the hop through the
     * dispatcher is not needed when nothing is queued and the slot is already taken.
     */
    private void startHere(Work w, Lease lease) {
        if (!w.start(millisSince(w.admittedNanos()))) {
            lease.callReturned();
            lease.release(false);
            return;
        }
        start(List.of(w), lease);
    }

    /** Starts a run of these jobs on a virtual thread of its own. */
    private void start(List<Work> jobs, Lease lease) {
        Run run = new Run(jobs, lease);
        runsStarted.incrementAndGet();
        jobsStarted.addAndGet(jobs.size());
        unreported.incrementAndGet();
        jobs.forEach(j -> running.put(j.id(), run));
        Thread.ofVirtual().name("job-" + jobs.getFirst().id()).start(run);
    }

    /** The job's run on this thread, as the dispatcher would start it on a thread of its own. */
    private void runHere(Work w, Lease lease) {
        if (!w.start(millisSince(w.admittedNanos()))) {
            lease.callReturned();
            lease.release(false);
            return;
        }
        Run run = new Run(List.of(w), lease);
        runsStarted.incrementAndGet();
        jobsStarted.incrementAndGet();
        unreported.incrementAndGet();
        running.put(w.id(), run);
        run.runBorrowed();
    }

    @Override
    public boolean removeQueued(String jobId) {
        return queue.removeIf(w -> w.id().equals(jobId));
    }

    /**
     * Ends a running job at once as canceled (reported on the caller's thread, exactly once). The run goes on for
     * the other jobs of its batch; when none is left, its thread is interrupted.
     */
    @Override
    public boolean interruptRunning(String jobId) {
        Run run = running.get(jobId);
        return run != null && run.withdraw(jobId);
    }

    /** Jobs waiting, the one waiting for a runner included. */
    public int queued() {
        return queue.size() + (taken != null ? 1 : 0);
    }

    /** Jobs running now. */
    public int running() {
        return running.size();
    }

    /** Runs (runner calls, one per batch) started since the lane began. */
    public long runsStarted() {
        return runsStarted.get();
    }

    /** Jobs started since the lane began, in all its runs. */
    public long jobsStarted() {
        return jobsStarted.get();
    }

    private void dispatch() {
        while (!closed) {
            Work w;
            try {
                w = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (w == null) continue;
            taken = w;
            Lease lease;
            try {
                lease = runners.acquire(w);
            } catch (ModelUnavailable e) {
                taken = null;
                w.failed(e);
                continue;
            } catch (InterruptedException e) {
                taken = null;
                w.failed(new CancellationException("stopped"));
                return;
            }
            taken = null;
            List<Work> jobs = new ArrayList<>(1);
            // withdrawn while it waited for the runner: the job engine has already ended it
            if (w.start(millisSince(w.admittedNanos()))) jobs.add(w);
            if (lease.runner() instanceof BatchRunner && runners.maxBatch() > 1 && runners.batchWindowMillis() > 0) {
                try {
                    gather(jobs, runners.maxBatch(), runners.batchWindowMillis());
                } catch (InterruptedException e) {
                    // stopping: what was gathered has started, so it is reported like a run interrupted by the stop
                    lease.callReturned();
                    lease.release(false);
                    jobs.forEach(j -> j.failed(new CancellationException("stopped")));
                    return;
                }
            }
            if (jobs.isEmpty()) {
                lease.callReturned();
                lease.release(false);
                continue;
            }
            start(jobs, lease);
        }
    }

    /**
     * Dynamic batching: more jobs of this lane join the run the dispatcher is about to start, up to
     * {@code max}: those already waiting at once, and those that arrive within {@code windowMillis}. The lane
     * waits for the window only while the model is busy (other runs in flight, or jobs were waiting): concurrent
     * callers are then arriving, while a lone call, which finds the model idle, starts without waiting.
     *
     * <p>While other slots are free, a batch takes only its share of what waits and leaves the rest to them: on a
     * CPU, separate runs on separate cores beat one batch on one core, so jobs are batched once every slot is busy.
     */
    private void gather(List<Work> jobs, int max, int windowMillis) throws InterruptedException {
        boolean busy = !running.isEmpty() || !queue.isEmpty();
        long deadline = System.nanoTime() + windowMillis * 1_000_000L;
        while (jobs.size() < max) {
            int waiting = jobs.size() + queue.size();
            int share = (waiting + runners.freeSlots()) / (runners.freeSlots() + 1); // rounded up
            if (!jobs.isEmpty() && jobs.size() >= share && runners.freeSlots() > 0) return;
            Work next = queue.poll();
            if (next == null) {
                long left = deadline - System.nanoTime();
                if (!busy || left <= 0) return;
                next = queue.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) return;
            }
            if (next.start(millisSince(next.admittedNanos()))) jobs.add(next);
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    /**
     * One runner call for one job, or for a batch of jobs gathered by {@link #gather}, on its own virtual thread
     * under the execution timeout. Each job's end is claimed once ({@link #claim}) by whichever comes first: the
     * run's own result, the timeout (every job still open), or a cancel or give-up of that one job. The slot is
     * freed when the last job is claimed, before the jobs hear their ends, so a caller's next call finds it free.
     */
    private final class Run implements Runnable {
        final List<Work> jobs;
        final Lease lease;
        final AtomicBoolean[] ended;
        final AtomicInteger open;
        final int timeoutSeconds = runners.timeoutSeconds();
        volatile Thread thread;
        /** The tick the run's timeout is in ({@link Deadlines}); the run leaves it when it ends. */
        volatile Set<Run> timer;
        /** Jobs of this run that completed: the slot's lease is told when the last job is claimed. */
        final AtomicInteger served = new AtomicInteger();
        /** Whether the lease has been told that the runner call returned (once, on success or in the end). */
        private final AtomicBoolean returned = new AtomicBoolean();
        /** Guards {@link #thread}'s interrupt against the end of a run on a borrowed (the caller's) thread. */
        private final Object interrupting = new Object();
        /** The run has left its thread: no interrupt may reach that thread any more. */
        private boolean left;
        /** This run interrupted its thread (timeout, withdrawal, stop), as opposed to someone else. */
        private boolean interruptedHere;

        Run(List<Work> jobs, Lease lease) {
            this.jobs = List.copyOf(jobs);
            this.lease = lease;
            this.ended = new AtomicBoolean[jobs.size()];
            for (int i = 0; i < ended.length; i++) ended[i] = new AtomicBoolean();
            this.open = new AtomicInteger(jobs.size());
        }

        /**
         * The run on the caller's thread: the same as {@link #run}, and then that thread is the caller's again, with
         * no interrupt of this run left pending on it (one from elsewhere stays).
         */
        void runBorrowed() {
            try {
                run();
            } finally {
                boolean clear;
                synchronized (interrupting) {
                    left = true;
                    clear = interruptedHere;
                }
                if (clear) Thread.interrupted();
            }
        }

        private void cancelTimer() {
            Set<Run> t = timer;
            if (t != null) t.remove(this);
        }

        /** Interrupts the run's thread unless the run has already left it. */
        private void interruptThread() {
            synchronized (interrupting) {
                Thread t = thread;
                if (t == null || left) return;
                interruptedHere = true;
                t.interrupt();
            }
        }

        @Override
        public void run() {
            thread = Thread.currentThread();
            long started = System.nanoTime();
            long startedAt = clock.millis();
            // queue time runs to the start of the run: a wait for batch partners is waiting, not processing
            long[] queueMillis = new long[jobs.size()];
            for (int i = 0; i < queueMillis.length; i++) queueMillis[i] = (started - jobs.get(i).admittedNanos()) / 1_000_000;
            try {
                if (open.get() == 0) return; // every job was withdrawn before the thread started: nothing to run
                timer = DEADLINES.add(this, TimeUnit.SECONDS.toNanos(timeoutSeconds));
                if (jobs.size() == 1) {
                    RunOutput out = lease.runner().run(jobs.getFirst().input());
                    callReturned();
                    long measured = (System.nanoTime() - started) / 1_000_000;
                    succeed(List.of(out), new long[]{processingMillis(out, measured)}, queueMillis, startedAt);
                } else {
                    runBatch(started, startedAt, queueMillis);
                }
            } catch (Throwable t) {
                failOpen(t instanceof Exception e ? e : new RuntimeException(t));
            } finally {
                cancelTimer();
                callReturned();
            }
        }

        /**
         * The runner call returned: said before the jobs are told their results, so that whoever reads a result
         * (the idle unloader's check, a test that moves the clock) never finds the runner still counted in use.
         */
        private void callReturned() {
            if (returned.compareAndSet(false, true)) lease.callReturned();
        }

        /**
         * The batch as one runner call; its measured time is shared among the jobs by the runner's weights (an
         * embedding's tokens). If the call fails as a whole, each job still open runs alone, so that one bad
         * input fails only its own job.
         */
        private void runBatch(long started, long startedAt, long[] queueMillis) throws Exception {
            BatchRunner runner = (BatchRunner) lease.runner();
            List<RunOutput> outs;
            try {
                outs = runner.runBatch(jobs.stream().map(Work::input).toList());
                if (outs.size() != jobs.size())
                    throw new IllegalStateException("the runner gave " + outs.size() + " outputs for " + jobs.size() + " inputs");
                callReturned();
            } catch (Exception e) {
                if (open.get() == 0 || Thread.currentThread().isInterrupted()) throw e;
                alone(queueMillis, startedAt);
                return;
            }
            long measured = (System.nanoTime() - started) / 1_000_000;
            long total = 0;
            long[] weights = new long[outs.size()];
            for (int i = 0; i < weights.length; i++) total += weights[i] = Math.max(1, runner.weight(outs.get(i)));
            long[] processing = new long[outs.size()];
            for (int i = 0; i < processing.length; i++) processing[i] = processingMillis(outs.get(i), measured * weights[i] / total);
            succeed(outs, processing, queueMillis, startedAt);
        }

        /** Each job still open as its own runner call, one after the other, under the batch's timeout. */
        private void alone(long[] queueMillis, long startedAt) {
            for (int i = 0; i < jobs.size(); i++) {
                if (ended[i].get()) continue;
                if (Thread.currentThread().isInterrupted()) return; // timed out or stopped: the rest were ended there
                long t0 = System.nanoTime();
                try {
                    RunOutput out = lease.runner().run(jobs.get(i).input());
                    long measured = (System.nanoTime() - t0) / 1_000_000;
                    report(i, out, processingMillis(out, measured), queueMillis[i], startedAt);
                } catch (Throwable t) {
                    if (claim(i)) jobs.get(i).failed(t instanceof Exception e ? e : new RuntimeException(t));
                }
            }
        }

        private void report(int i, RunOutput out, long processing, long queueMillis, long startedAt) {
            if (claimServed(i)) jobs.get(i).succeeded(new Execution(out, queueMillis, processing, startedAt));
        }

        /** Claims every job still open first (the slot is then free), then tells each its result. */
        private void succeed(List<RunOutput> outs, long[] processing, long[] queueMillis, long startedAt) {
            List<Integer> mine = claimOpen();
            served.addAndGet(mine.size());
            closed(mine);
            for (int i : mine) jobs.get(i).succeeded(new Execution(outs.get(i), queueMillis[i], processing[i], startedAt));
        }

        private void failOpen(Exception cause) {
            List<Integer> mine = claimOpen();
            closed(mine);
            for (int i : mine) jobs.get(i).failed(cause);
        }

        private void timedOut() {
            abortOpen(new ExecutionTimeout(name + " did not finish within its execution timeout of " + timeoutSeconds + " s"));
        }

        /** The caller canceled or gave up on one job: it ends now; the others of the batch run on. */
        boolean withdraw(String jobId) {
            for (int i = 0; i < jobs.size(); i++) {
                if (!jobs.get(i).id().equals(jobId)) continue;
                if (!ended[i].compareAndSet(false, true)) return false;
                boolean last = closed(List.of(i));
                if (last) interruptThread(); // nobody waits for this run any more
                jobs.get(i).failed(new CancellationException("canceled"));
                return true;
            }
            return false;
        }

        /** Every job still open ends canceled and the run is interrupted (an endpoint suspended, Hearth stopping). */
        void interrupt() {
            abortOpen(new CancellationException("stopped"));
        }

        /** Every job still open fails with {@code cause}, and the run's thread is interrupted. */
        private void abortOpen(Exception cause) {
            List<Integer> mine = claimOpen();
            if (mine.isEmpty()) return;
            closed(mine);
            interruptThread();
            for (int i : mine) jobs.get(i).failed(cause);
        }

        /** Claims the end of every job of the run still open, and says which they were. */
        private List<Integer> claimOpen() {
            List<Integer> mine = new ArrayList<>(jobs.size());
            for (int i = 0; i < jobs.size(); i++) if (ended[i].compareAndSet(false, true)) mine.add(i);
            return mine;
        }

        private boolean claim(int i) {
            if (!ended[i].compareAndSet(false, true)) return false;
            closed(List.of(i));
            return true;
        }

        private boolean claimServed(int i) {
            if (!ended[i].compareAndSet(false, true)) return false;
            served.incrementAndGet();
            closed(List.of(i));
            return true;
        }

        /** Jobs whose ends were just claimed leave the running set; the last one frees the slot. True for the last. */
        private boolean closed(List<Integer> claimed) {
            if (claimed.isEmpty()) return false;
            for (int i : claimed) running.remove(jobs.get(i).id());
            if (open.addAndGet(-claimed.size()) != 0) return false;
            cancelTimer();
            int completed = served.get();
            if (completed > 0) lease.served(completed);
            lease.release(completed > 0);
            unreported.decrementAndGet();
            return true;
        }
    }

    /**
     * The processing time that is reported and billed: what a remote worker says it spent on the job when it
     * says so (the measured time also holds the network and any wait for a free slot on the worker), never
     * more than the gateway measured.
     */
    static long processingMillis(RunOutput out, long measuredMillis) {
        Long reported = out.reportedMillis();
        return reported == null || reported < 0 ? measuredMillis : Math.min(reported, measuredMillis);
    }

    /** Fails every job still waiting with {@code cause} (an endpoint suspended or deleted, a boot that failed). */
    public void failQueued(Exception cause) {
        List<Work> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(w -> w.failed(cause));
    }

    /** Interrupts every running job; each is reported failed with a CancellationException. */
    public void interruptAll() {
        java.util.Set.copyOf(running.values()).forEach(Run::interrupt);
    }

    /** Stops taking jobs; returns those still waiting so the engine can keep or fail them. Running jobs go on. */
    public List<Work> stop() {
        stopped = true;
        List<Work> left = new ArrayList<>();
        queue.drainTo(left);
        return left;
    }

    /**
     * Stops the dispatcher, interrupts what still runs and waits (a few seconds at most) until every started
     * job has reported its end, so that each is settled while the database is still open.
     */
    public void close() {
        stopped = true;
        closed = true;
        interruptAll();
        dispatcher.interrupt();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (unreported.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }
}
