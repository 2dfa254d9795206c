package dev.hearth.endpoints;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.billing.Pricing;
import dev.hearth.catalog.Scaling;
import dev.hearth.http.Json;
import dev.hearth.jobs.EndpointTarget;
import dev.hearth.runners.Runner;
import dev.hearth.runtime.ExecutionLane;
import dev.hearth.runtime.ModelUnavailable;
import dev.hearth.runtime.QueueFull;
import dev.hearth.runtime.Work;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint's private lane and its workers (SPEC §9): jobs never meet the public model pool. Its
 * {@link ExecutionLane} (the same one catalog models use) hands each queued job to the next ready worker with a
 * free slot, in turn (round-robin); {@link #scale} boots or stops workers as the {@link Scaler} says. The pool also meters worker up-time: every worker
 * counts from the moment its boot starts until its stop has finished, which is what {@link WorkerBilling} charges.
 */
final class EndpointPool implements EndpointTarget, ExecutionLane.Runners {

    private static final Logger log = LoggerFactory.getLogger(EndpointPool.class);
    /** After a failed boot, the pool waits this long before booting again for its minimum (a job boots at once). */
    private static final long BOOT_RETRY_MILLIS = 10_000;

    private volatile Endpoint endpoint;
    private final ModelSpec catalogModel;
    private volatile ModelSpec served;
    private final WorkerBackend backend;
    private final Clock clock;
    private final ExecutionLane lane;
    /** Guarded by {@code this}, like every worker's fields and the meter. */
    private final List<EndpointWorker> workers = new ArrayList<>();
    private final AtomicInteger runningCount = new AtomicInteger();
    /** Serializes the calls that tell the backend the pool's size (see {@link #tellBackend(Endpoint)}). */
    private final Object backendCalls = new Object();
    /** Boots that failed so far: a job waiting for a worker fails when one fails after it began to wait. */
    private int bootFailures;
    private final AtomicInteger workerSeq = new AtomicInteger();
    private int next;
    private volatile boolean closed;
    private volatile boolean deleted;
    private volatile boolean suspended;
    /** The operator suspended the owning account: no worker runs or is billed until the suspension is lifted. */
    private volatile boolean accountSuspended;
    private volatile String failure;
    private volatile long failedAt;
    private volatile boolean jobSinceFailure;
    private long meteredMillis;
    private long meteredAt;
    /** Billing state of this pool; only {@link WorkerBilling} touches it, under its own lock. */
    final WorkerBilling.Account billing = new WorkerBilling.Account();

    EndpointPool(Endpoint endpoint, ModelSpec catalogModel, WorkerBackend backend, Clock clock) {
        this.endpoint = endpoint;
        this.catalogModel = catalogModel;
        this.served = servedModel(endpoint, catalogModel);
        this.backend = backend;
        this.clock = clock;
        this.suspended = endpoint.suspended();
        this.meteredAt = clock.millis();
        this.lane = new ExecutionLane("Endpoint '" + endpoint.name() + "'", "endpoint-" + endpoint.name(),
                catalogModel.scaling().queueSize(), this, clock);
    }

    /**
     * The model as the endpoint serves it: named after the endpoint (so usage rows, job records and errors
     * speak of it), free per call (the workers' up-time is billed instead) and with the endpoint's timeout.
     */
    static ModelSpec servedModel(Endpoint e, ModelSpec m) {
        Scaling s = m.scaling();
        return new ModelSpec(e.name(), m.title(), m.category(), m.description(), m.ownedBy(), m.created(), m.output(), m.premium(),
                m.retired(), m.disabledReason(), new Pricing(Pricing.Type.PER_CALL, 0, List.of(), 0), m.runner(),
                new Scaling(e.idleTimeout(), e.workersMin(), e.workersMax(), s.slots(), e.executionTimeout(), s.queueSize())
                        .withBatching(s.batchWindowMillis(), s.maxBatch()),
                m.inputSchema());
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** New scaling settings (same model and hardware class); the next {@link #scale} applies them. */
    void reconfigure(Endpoint e) {
        this.endpoint = e;
        this.served = servedModel(e, catalogModel);
        if (!e.suspended()) this.suspended = false;
    }

    @Override
    public ModelSpec model() {
        return served;
    }

    @Override
    public String catalogSlug() {
        return catalogModel.slug();
    }

    @Override
    public String id() {
        return endpoint.id();
    }

    boolean suspended() {
        return suspended;
    }

    boolean accountSuspended() {
        return accountSuspended;
    }

    /** True while the pool must have no workers: its endpoint or its account is suspended. */
    private boolean off() {
        return suspended || accountSuspended;
    }

    /**
     * Follows the owning account's suspension by the operator. A suspended account's keys are refused (403), so
     * its endpoint would only run idle workers on its bill: what waits fails, what runs is interrupted, and the
     * next {@link #scale} stops every worker. When the suspension is lifted the pool scales back to
     * {@code workers_min} on its own; unlike a suspension for non-payment, no update is needed.
     */
    void accountSuspended(boolean now) {
        if (now == accountSuspended) return;
        accountSuspended = now;
        if (now) {
            lane.failQueued(new ModelUnavailable("Endpoint '" + endpoint.name() + "' stopped: its account is suspended", null));
            lane.interruptAll();
        }
    }

    @Override
    public void submit(Work work) throws QueueFull, ModelUnavailable {
        if (closed) throw new ModelUnavailable("Endpoint '" + endpoint.name() + "' was deleted", null);
        if (off()) throw new ModelUnavailable("Endpoint '" + endpoint.name() + "' is suspended", null);
        lane.submit(work);
        synchronized (this) {
            jobSinceFailure = true;
            notifyAll();
        }
    }

    @Override
    public boolean removeQueued(String jobId) {
        return lane.removeQueued(jobId);
    }

    @Override
    public boolean interruptRunning(String jobId) {
        return lane.interruptRunning(jobId);
    }

    // ---- scaling ---------------------------------------------------------------------------------------------

    /**
     * One scaling step: boots the workers the {@link Scaler} asks for, or stops those idle long enough.
     * Returns how many workers were added (billing settles at once when the pool grows). Called from one
     * thread only (the endpoints' ticker).
     */
    int scale() {
        Endpoint e = endpoint;
        List<EndpointWorker> toBoot = new ArrayList<>();
        List<EndpointWorker> toStop = new ArrayList<>();
        int target;
        synchronized (this) {
            if (closed) return 0;
            long now = clock.millis();
            // a worker whose runner died (its process exited) is replaced
            for (EndpointWorker w : workers) {
                if (w.serving() && w.busy == 0 && w.runner != null && !w.runner.alive()) toStop.add(w);
            }
            toStop.forEach(w -> w.state = WorkerState.STOPPING);
            List<EndpointWorker> up = workers.stream().filter(w -> w.state != WorkerState.STOPPING).toList();
            List<EndpointWorker> idle = up.stream().filter(w -> w.state == WorkerState.READY && w.busy == 0
                            && now - w.idleSince >= e.idleTimeout() * 1000L)
                    .sorted(Comparator.comparingLong((EndpointWorker w) -> w.idleSince)).toList();
            target = off() ? 0 : Scaler.target(lane.queued(), runningCount.get(), up.size(), idle.size(), e.scalerValue(),
                    e.workersMin(), e.workersMax());
            boolean backingOff = failure != null && !jobSinceFailure && now - failedAt < BOOT_RETRY_MILLIS;
            if (target > up.size() && !backingOff) {
                meter(now);
                for (int i = up.size(); i < target; i++) {
                    EndpointWorker w = new EndpointWorker(e.name() + "-" + workerSeq.incrementAndGet(), now, catalogModel.scaling().slots());
                    workers.add(w);
                    toBoot.add(w);
                }
                jobSinceFailure = false;
            } else if (target < up.size()) {
                int surplus = up.size() - target;
                List<EndpointWorker> stoppable = off() ? up : idle;
                for (EndpointWorker w : stoppable) {
                    if (surplus-- <= 0) break;
                    w.state = WorkerState.STOPPING;
                    toStop.add(w);
                }
            }
        }
        if (!toBoot.isEmpty()) tellBackend(e);
        for (EndpointWorker w : toBoot) {
            Thread t = Thread.ofVirtual().name("boot-" + w.id).unstarted(() -> boot(w));
            synchronized (this) {
                w.bootThread = t;
            }
            t.start();
        }
        toStop.forEach(w -> Thread.ofVirtual().name("stop-" + w.id).start(() -> stop(w)));
        return toBoot.size();
    }

    private void boot(EndpointWorker w) {
        Endpoint e = endpoint;
        log.info("endpoint {}: booting worker {} ({})", e.name(), w.id, catalogModel.slug());
        Runner r;
        try {
            r = backend.boot(e, catalogModel, w.id, step -> log.info("endpoint {} worker {}: {}", e.name(), w.id, step));
        } catch (Exception | LinkageError ex) {
            boolean stopped;
            synchronized (this) {
                stopped = w.state == WorkerState.STOPPING;
            }
            if (stopped) remove(w); // stopped while booting (scaled down, deleted): not a failure
            else bootFailed(w, ex);
            return;
        }
        boolean keep;
        synchronized (this) {
            keep = w.state == WorkerState.BOOTING && !closed;
            if (keep) {
                w.runner = r;
                w.state = WorkerState.READY;
                w.idleSince = clock.millis();
                failure = null;
                notifyAll();
            }
        }
        if (keep) log.info("endpoint {}: worker {} ready after {} ms", e.name(), w.id, clock.millis() - w.upSince);
        else closeQuietly(r, w);
        if (!keep) remove(w);
    }

    private void bootFailed(EndpointWorker w, Throwable ex) {
        String why = "a worker could not boot: " + ex.getMessage();
        log.error("endpoint {}: worker {} boot failed: {}", endpoint.name(), w.id, ex.toString());
        int left;
        synchronized (this) {
            failure = why;
            failedAt = clock.millis();
            jobSinceFailure = false;
            bootFailures++;
            meter(failedAt);
            workers.remove(w);
            left = liveWorkers();
            notifyAll();
        }
        if (!closed) tellBackend(endpoint);
        // jobs waiting for this boot fail now, unless another worker is up or on its way
        if (left == 0) lane.failQueued(new ModelUnavailable("Endpoint '" + endpoint.name() + "': " + why, ex));
    }

    private void stop(EndpointWorker w) {
        Runner r;
        synchronized (this) {
            r = w.runner;
            if (r == null && w.bootThread != null) w.bootThread.interrupt(); // stopped while booting: the boot gives up
        }
        if (r != null) closeQuietly(r, w);
        remove(w);
        log.info("endpoint {}: worker {} stopped after {} ms up", endpoint.name(), w.id, clock.millis() - w.upSince);
        if (!closed) tellBackend(endpoint);
    }

    /**
     * Tells the backend how many workers the pool has now (those not stopping). Boots and stops end on threads
     * of their own, so the calls are serialized and each reads the count inside: the last one to reach the
     * backend always carries the latest count, never one an earlier, slower call computed.
     */
    private void tellBackend(Endpoint e) {
        synchronized (backendCalls) {
            int workers;
            synchronized (this) {
                workers = liveWorkers();
            }
            tellBackend(e, workers);
        }
    }

    private void tellBackend(Endpoint e, int workers) {
        try {
            backend.scaled(e, catalogModel, workers);
        } catch (Exception ex) {
            log.warn("endpoint {}: the worker backend could not scale to {}: {}", e.name(), workers, ex.toString());
        }
    }

    /** Takes a worker out of the pool; returns how many are left that are not stopping. */
    private synchronized int remove(EndpointWorker w) {
        meter(clock.millis());
        workers.remove(w);
        notifyAll();
        return liveWorkers();
    }

    /** Workers booting, ready or busy: those the pool keeps (called under the monitor). */
    private int liveWorkers() {
        return (int) workers.stream().filter(x -> x.state != WorkerState.STOPPING).count();
    }

    private void closeQuietly(Runner r, EndpointWorker w) {
        try {
            r.close();
        } catch (Exception ex) {
            log.warn("endpoint {}: closing worker {} failed: {}", endpoint.name(), w.id, ex.toString());
        }
    }

    /** Stops every worker and fails what waits; used when the account cannot pay the next billing tick. */
    void suspend() {
        suspended = true;
        lane.failQueued(new ModelUnavailable("Endpoint '" + endpoint.name() + "' was suspended: the account cannot pay for its workers", null));
        lane.interruptAll();
        scale();
    }

    /**
     * Closes the pool: fails what waits, interrupts what runs, stops every worker and waits for the stops. When
     * the endpoint was {@code deleted} the backend removes what it made; when Hearth stops it scales it to zero
     * (nobody would bill a worker left running).
     */
    void close(long waitMillis, boolean deleted) {
        List<EndpointWorker> all;
        synchronized (this) {
            this.deleted = deleted;
            closed = true;
            all = new ArrayList<>(workers);
            all.forEach(w -> w.state = WorkerState.STOPPING);
            notifyAll();
        }
        // deleted: what waits fails (503). Hearth stopping: a cancellation, which the job engine turns into "run
        // again at the next start" for v2 jobs (their records stay unfinished, their holds open)
        lane.failQueued(deleted ? new ModelUnavailable("Endpoint '" + endpoint.name() + "' was deleted", null)
                : new CancellationException("Hearth stopped"));
        lane.interruptAll();
        List<Thread> stops = all.stream().map(w -> Thread.ofVirtual().start(() -> stop(w))).toList();
        long deadline = clock.millis() + waitMillis;
        for (Thread t : stops) {
            try {
                t.join(Math.max(1, deadline - clock.millis()));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            if (deleted) backend.removed(endpoint);
            else backend.scaled(endpoint, catalogModel, 0);
        } catch (Exception ex) {
            log.warn("endpoint {}: the worker backend could not remove it: {}", endpoint.name(), ex.toString());
        }
        lane.close();
    }

    // ---- the lane's runners ----------------------------------------------------------------------------------

    @Override
    public int timeoutSeconds() {
        return endpoint.executionTimeout();
    }

    /** An endpoint batches as its catalog model does: its workers run the same runner. */
    @Override
    public int batchWindowMillis() {
        return catalogModel.scaling().batchWindowMillis();
    }

    @Override
    public int maxBatch() {
        return catalogModel.scaling().maxBatch();
    }

    @Override
    public synchronized int freeSlots() {
        return workers.stream().filter(EndpointWorker::hasFreeSlot).mapToInt(w -> w.slots - w.busy).sum();
    }

    /**
     * The next ready worker with a free slot after the one that took the last job (round-robin), waiting for one
     * while the pool scales up. Fails when the endpoint is closed or suspended, or when a boot fails after the
     * job began to wait and no other worker is up or on its way.
     */
    @Override
    public synchronized ExecutionLane.Lease acquire(Work job) throws ModelUnavailable, InterruptedException {
        int failuresBefore = bootFailures;
        EndpointWorker w;
        while ((w = nextFree()) == null) {
            if (closed && deleted) throw new ModelUnavailable("Endpoint '" + endpoint.name() + "' was deleted", null);
            // Hearth is stopping: the job is canceled, so a v2 job stays for the next start
            if (closed) throw new InterruptedException("Hearth stopped");
            if (off()) throw new ModelUnavailable("Endpoint '" + endpoint.name() + "' is suspended", null);
            if (bootFailures != failuresBefore && workers.stream().noneMatch(x -> x.state != WorkerState.STOPPING)) {
                throw new ModelUnavailable("Endpoint '" + endpoint.name() + "': " + failure, null);
            }
            wait(200);
        }
        return lease(w);
    }

    /** The next ready worker with a free slot, or null when none has one now (the job then queues). */
    @Override
    public synchronized ExecutionLane.Lease tryAcquire(Work job) {
        if (closed || off()) return null;
        EndpointWorker w = nextFree();
        return w == null ? null : lease(w);
    }

    private ExecutionLane.Lease lease(EndpointWorker w) {
        w.busy++;
        w.state = WorkerState.BUSY;
        runningCount.incrementAndGet();
        EndpointWorker worker = w;
        Runner runner = w.runner;
        return new ExecutionLane.Lease() {
            @Override
            public Runner runner() {
                return runner;
            }

            @Override
            public void served(int jobs) {
                EndpointPool.this.served(worker, jobs);
            }

            @Override
            public void release(boolean served) {
                EndpointPool.this.release(worker);
            }
        };
    }

    /** The next worker with a free slot after the one that took the last job (round-robin). */
    private EndpointWorker nextFree() {
        int n = workers.size();
        for (int i = 0; i < n; i++) {
            int idx = (next + i) % n;
            EndpointWorker w = workers.get(idx);
            if (w.hasFreeSlot()) {
                next = idx + 1;
                return w;
            }
        }
        return null;
    }

    /** Calls the worker completed: a batch is one slot's run but counts each of its calls. */
    private synchronized void served(EndpointWorker w, int jobs) {
        w.served += jobs;
    }

    private synchronized void release(EndpointWorker w) {
        runningCount.decrementAndGet();
        w.busy--;
        if (w.busy == 0) {
            w.idleSince = clock.millis();
            if (w.state == WorkerState.BUSY) w.state = WorkerState.READY;
        }
        notifyAll();
    }

    // ---- metering and status ---------------------------------------------------------------------------------

    /** Adds the worker time since the last reading; called under the monitor before the worker count changes. */
    private void meter(long now) {
        if (now > meteredAt) meteredMillis += (now - meteredAt) * workers.size();
        meteredAt = Math.max(meteredAt, now);
    }

    /** Worker-milliseconds this pool has been up in total, up to {@code now}. */
    synchronized long meteredMillis(long now) {
        meter(now);
        return meteredMillis;
    }

    /** Workers up now in any state (what a billing tick holds credits for). */
    synchronized int workersUp() {
        return workers.size();
    }

    synchronized boolean drained() {
        return workers.isEmpty();
    }

    /** deploying | ready | scaling | idle | suspended | failed (SPEC §9 issue's status list). */
    synchronized String status() {
        if (off()) return "suspended";
        long ready = workers.stream().filter(EndpointWorker::serving).count();
        long booting = workers.stream().filter(w -> w.state == WorkerState.BOOTING).count();
        long stopping = workers.stream().filter(w -> w.state == WorkerState.STOPPING).count();
        if (ready == 0 && booting == 0 && failure != null) return "failed";
        // no worker ready, and one booting or about to (the minimum, or a call waiting)
        if (ready == 0 && (booting > 0 || endpoint.workersMin() > 0 || lane.queued() > 0)) return "deploying";
        if (ready == 0) return "idle";
        if (booting > 0 || stopping > 0) return "scaling";
        return "ready";
    }

    String failure() {
        return failure;
    }

    /** The live view for the list API: status, queue, and each worker's state. */
    synchronized ObjectNode describe(ObjectNode into) {
        long now = clock.millis();
        into.put("status", status());
        if (failure != null) into.put("status_detail", failure);
        into.put("queued", lane.queued());
        into.put("running", runningCount.get());
        into.put("workers_up", workers.size());
        into.put("workers_ready", workers.stream().filter(EndpointWorker::serving).count());
        into.put("worker_seconds", meteredMillis(now) / 1000.0);
        ArrayNode list = into.putArray("workers");
        for (EndpointWorker w : workers) {
            list.add(Json.object().put("worker_id", w.id).put("state", w.state.wire()).put("running", w.busy)
                    .put("calls_served", w.served).put("up_seconds", (now - w.upSince) / 1000.0));
        }
        return into;
    }
}
