package dev.hearth.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;
import dev.hearth.billing.CreditHold;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.Settlement;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.config.HearthConfig;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.runners.RunOutput;
import dev.hearth.runtime.Execution;
import dev.hearth.runtime.ModelPool;
import dev.hearth.runtime.ModelUnavailable;
import dev.hearth.runtime.QueueFull;
import dev.hearth.runtime.Work;
import dev.hearth.usage.UsageRecord;
import dev.hearth.usage.UsageRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Runs admitted jobs and settles them: hands each to the model pool, then, exactly once per job, posts the
 * actual cost (success) or releases the hold (failure, timeout, cancel) in the same transaction that records
 * the job's end, writes the usage record and tells whoever waits. One engine serves v1 (callers wait on the
 * job's future) and v2 (callers poll the jobs table). It also recovers v2 jobs after a restart and drains on
 * a graceful stop.
 */
public final class JobEngine {

    private static final Logger log = LoggerFactory.getLogger(JobEngine.class);

    private final Ledger ledger;
    private final ModelPool pool;
    private final JobStore store;
    private final UsageRecorder usage;
    private final ModelResolver models;
    private final Clock clock;
    private final HearthConfig.Jobs cfg;
    private final boolean storeParameters;
    private final Map<String, Job> live = new ConcurrentHashMap<>();
    private volatile OutputStore outputs;
    private volatile MediaResolver mediaResolver = MediaResolver.NONE;
    private final List<Consumer<JobRecord>> finishListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean stopping;

    JobEngine(Ledger ledger, ModelPool pool, JobStore store, UsageRecorder usage, ModelResolver models, Clock clock,
              HearthConfig.Jobs cfg, boolean storeParameters) {
        this.ledger = ledger;
        this.pool = pool;
        this.store = store;
        this.usage = usage;
        this.models = models;
        this.clock = clock;
        this.cfg = cfg;
        this.storeParameters = storeParameters;
    }

    /** {@code models} finds again the model of a v2 job recovered after a restart: its endpoint's queue, or the public pool. */
    public static JobEngine open(dev.hearth.store.Database db, Ledger ledger, ModelPool pool, UsageRecorder usage, ModelResolver models,
                                 Clock clock, HearthConfig config) {
        return new JobEngine(ledger, pool, new JobStore(db, config.jobs().leaseSeconds() * 1000L), usage, models, clock, config.jobs(),
                config.logging().storeParameters());
    }

    /** How recovered jobs fetch their media inputs again. */
    public void useMediaResolver(MediaResolver resolver) {
        this.mediaResolver = resolver;
    }

    /** Where media outputs of v2 jobs are stored (the storage package). */
    public void useOutputStore(OutputStore outputs) {
        this.outputs = outputs;
    }

    /** Adds a listener called with the stored record whenever a v2 job ends (metrics, webhook delivery). */
    public void onFinished(Consumer<JobRecord> listener) {
        finishListeners.add(listener);
    }

    JobStore store() {
        return store;
    }

    /** Queues an admitted job. On refusal (queue full, shutting down) the hold is released and 503 thrown. */
    void submit(Job job) {
        submit(job, false);
    }

    /**
     * Queues an admitted job whose caller waits for it on this thread (v1): the lane may run it right here, so
     * that it has ended when this returns.
     */
    void submitAndRun(Job job) {
        submit(job, true);
    }

    private void submit(Job job, boolean callerWaits) {
        if (stopping) {
            QueueFull refusal = new QueueFull("Hearth is shutting down and takes no new jobs; retry shortly");
            settleFailure(job, refusal);
            throw Failures.of(job.model.slug(), refusal).header("x-request-id", job.id);
        }
        live.put(job.id, job);
        try {
            if (callerWaits) job.lane.submitAndRun(job);
            else dispatch(job);
        } catch (QueueFull | ModelUnavailable e) {
            settleFailure(job, e);
            throw Failures.of(job.model.slug(), e).header("x-request-id", job.id);
        }
    }

    private void dispatch(Job job) throws QueueFull, ModelUnavailable {
        job.lane.submit(job);
    }

    /**
     * A lane worker took the job and its model is warm. A job withdrawn after the worker took it (canceled, or
     * its v1 caller gave up while the model booted) ends here, exactly once, and is not run.
     */
    boolean started(Job job, long queueMillis) {
        if (job.settled.get()) return false;
        if (job.cancelRequested) {
            settleFailure(job, withdrawal(job));
            return false;
        }
        if (job.durable && !store.markProcessing(job.id, cfg.nodeId(), clock.millis(), queueMillis)) {
            // an idle node took it over while it waited here (JobLeases): it runs, settles and is charged there
            if (job.settled.compareAndSet(false, true)) {
                live.remove(job.id);
                if (job.slot != null) job.slot.release();
                job.outcome.complete(new JobOutcome.Failed(Failures.of(job.model.slug(), new QueueFull("Taken over by another node"))));
            }
            return false;
        }
        return true;
    }

    /** No job queued or running on this node: it may take over queued jobs that wait on busier nodes. */
    boolean idle() {
        return live.isEmpty() && !stopping;
    }

    void succeeded(Job job, Execution ex) {
        if (!job.settled.compareAndSet(false, true)) return;
        JobOutcome outcome;
        try {
            long units = ex.output() instanceof RunOutput.Json j ? j.billableUnits() : 0;
            long cost = job.model.pricing().actual(job.params, ex.processingMillis(), units);
            JsonNode shown = shownOutput(job, ex.output());
            String outputJson = job.durable ? Json.text(shown) : null;
            long now = clock.millis();
            Settlement s = ledger.settle(job.hold, job.id, cost, job.model.slug(), (h, settled) -> {
                if (job.durable) {
                    store.complete(h, job.id, outputJson, settled.charged(), settled.after().total(), now, ex.queueMillis(),
                            ex.processingMillis(), now + cfg.recordTtl() * 1000L);
                }
            });
            recordUsage(job, ex.startedAt(), ex.queueMillis(), ex.processingMillis(), 200, s.charged(), s.after().total(), null,
                    shown, ex.output() instanceof RunOutput.Media && shown != null ? shown.asText() : null);
            outcome = new JobOutcome.Completed(new CallResult(job.id, job.model, ex.output(), s.charged(),
                    s.after().total(), ex.queueMillis(), ex.processingMillis(), job.seed, job.rate));
        } catch (Exception e) {
            // settling itself failed (database down?): the hold stays open and expires; the caller gets 500
            log.error("settling job {} failed", job.id, e);
            outcome = new JobOutcome.Failed(new ApiException(500, "Could not record the result: " + e.getMessage()));
        }
        // the job's slot is free before its caller hears the answer, so the caller's next call finds it free
        finished(job);
        job.outcome.complete(outcome);
    }

    private static Exception withdrawal(Job job) {
        return job.withdrawal != null ? job.withdrawal : new CancellationException("canceled");
    }

    void failed(Job job, Exception cause) {
        // a run interrupted because its caller gave up reports why the caller gave up, not a bare interruption
        if (cause instanceof CancellationException && job.withdrawal != null) cause = job.withdrawal;
        if (stopping && job.durable && cause instanceof CancellationException && !job.cancelRequested) {
            // interrupted by shutdown: the job stays PROCESSING with its hold open and runs again at the next start
            job.outcome.complete(new JobOutcome.Failed(Failures.of(job.model.slug(), new QueueFull("Hearth stopped"))));
            live.remove(job.id);
            if (job.slot != null) job.slot.release();
            return;
        }
        settleFailure(job, cause);
    }

    private void settleFailure(Job job, Exception cause) {
        if (!job.settled.compareAndSet(false, true)) return;
        ApiException error = Failures.of(job.model.slug(), cause);
        boolean canceled = job.cancelRequested || cause instanceof CancellationException;
        JobStatus status = canceled ? JobStatus.CANCELED : JobStatus.FAILED;
        long now = clock.millis();
        try {
            // a workflow run's hold outlives its failed node: the run gives back what it has left when it ends
            if (!job.hold.multiStep()) ledger.voidHold(job.hold, (h, released) -> {
                if (job.durable) store.end(h, job.id, status, error.getMessage(), error.status(), now, now + cfg.recordTtl() * 1000L);
            });
        } catch (Exception e) {
            log.error("releasing the hold of job {} failed; the hold sweeper will release it", job.id, e);
        }
        recordUsage(job, null, job.queueMillis, 0, canceled ? 499 : error.status(), 0, null, error.getMessage(), null, null);
        finished(job);
        job.outcome.complete(new JobOutcome.Failed(error.header("x-request-id", job.id)));
    }

    private void finished(Job job) {
        live.remove(job.id);
        if (job.slot != null) job.slot.release();
        if (job.durable && !finishListeners.isEmpty()) store.find(job.id).ifPresent(r -> {
            for (Consumer<JobRecord> l : finishListeners) {
                try {
                    l.accept(r);
                } catch (Exception e) {
                    log.warn("finish listener failed for {}: {}", job.id, e.toString());
                }
            }
        });
    }

    /**
     * The output as a v2 result shows it (SPEC §3.2): JSON inlined (an LLM's as a string), media stored and shown
     * as its URL. A v1 call's media is not stored (its caller has the bytes): null.
     */
    private JsonNode shownOutput(Job job, RunOutput output) {
        return switch (output) {
            case RunOutput.Json j -> RequestViews.shownJson(job.model, j.body());
            case RunOutput.Media m when !job.durable -> null;
            case RunOutput.Media m -> {
                if (outputs == null) throw new IllegalStateException("no output storage configured for media outputs");
                String url = outputs.save(job.caller.accountId(), m.bytes(), m.contentType());
                // a path under this Hearth becomes a full URL with the origin the caller used (SPEC §3.2 <base>)
                if (url.startsWith("/") && job.base != null) url = job.base + url;
                yield Json.MAPPER.getNodeFactory().textNode(url);
            }
        };
    }

    private void recordUsage(Job job, Long startedAt, long queueMillis, long processingMillis, int status, long cost,
                             Long remaining, String error, JsonNode output, String outputUrl) {
        usage.record(new UsageRecord(job.id, job.caller.accountId(), job.caller.keyId(), job.model.slug(),
                job.endpointId, job.workflowRunId,
                job.submittedAt, startedAt, clock.millis(), queueMillis, processingMillis, status, cost,
                storeParameters ? Json.text(job.loggableParams) : null, job.seed, error, outputUrl, output, remaining));
    }

    /**
     * Cancels a request of the caller's account. Queued: taken out of the queue; running: its runner is
     * interrupted. Either way the hold is released. A finished request is left as it is.
     */
    public JobRecord cancel(Principal caller, String id) {
        JobRecord record = store.find(id).filter(r -> r.accountId().equals(caller.accountId()))
                .orElseThrow(() -> ApiException.notFound("Request " + id + " not found"));
        Job job = live.get(id);
        if (job != null && !record.status().terminal()) {
            job.cancelRequested = true;
            if (job.lane.removeQueued(job.id)) settleFailure(job, new CancellationException("canceled while queued"));
            else if (!job.lane.interruptRunning(job.id)) settleFailure(job, new CancellationException("canceled"));
            try {
                job.outcome.get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the status read below says where it stands
            }
        }
        return store.find(id).orElseThrow();
    }

    /** A v1 caller stopped waiting (no slot in time): the job is withdrawn if queued, interrupted if running. */
    void giveUp(Job job, Exception why) {
        job.withdrawal = why;
        job.cancelRequested = true;
        if (job.lane.removeQueued(job.id)) settleFailure(job, why);
        // neither queued nor running: a lane worker holds it while its model boots. It ends now; the worker then
        // finds it settled and skips it. Whichever of the two settles first wins (settled is compare-and-set).
        else if (!job.lane.interruptRunning(job.id)) settleFailure(job, why);
    }

    /** Deletes v2 records whose time to be read has passed; returns how many. */
    public int expireRecords() {
        return store.deleteExpired(clock.millis());
    }

    /**
     * At start: v2 jobs a node of this name left QUEUED or PROCESSING run again (see {@link #resume}). Jobs of
     * other nodes, or of this one under a generated name, come back through {@link JobLeases} once their lease lapses.
     */
    public int recover() {
        return resume(store.unfinished(cfg.nodeId(), clock.millis()));
    }

    /**
     * Runs unfinished v2 jobs leased to this node, after a restart or taken over from a dead node (a job is
     * charged only when its completion commits with its charge, so re-running never charges twice). A job whose
     * hold is no longer open cannot be paid for and is failed instead.
     */
    int resume(List<JobRecord> unfinished) {
        int resumed = 0;
        for (JobRecord r : unfinished) {
            if (live.containsKey(r.id())) continue;   // already queued here (its own lease, renewed late)
            ModelResolver.Target target = models.recovered(r.accountId(), r.model());
            ModelSpec model = target == null ? null : target.model();
            CreditHold hold = new CreditHold(r.holdId(), r.accountId(), r.id(), r.holdAmount());
            Job job;
            try {
                // recovered jobs were admitted before the restart: they take no new rate or concurrency budget
                ObjectNode params = (ObjectNode) Json.MAPPER.readTree(r.params());
                job = new Job(r.id(), new Principal(r.accountId(), r.keyId(), false), model, params, Map.of(), params, r.base(),
                        r.seed(), hold, null, null, true, r.webhookUrl(), r.submittedAt(), System.nanoTime(), this);
            } catch (Exception e) {
                log.error("cannot restore job {}: {}", r.id(), e.toString());
                continue;
            }
            if (model != null) {
                try {
                    // media bytes are not stored with the job: fetch them again, as at submit
                    Map<String, dev.hearth.runners.MediaBlob> media = mediaResolver.resolve(model, job.params, r.base());
                    if (!media.isEmpty()) job = job.withMedia(media, mediaResolver.redact(model, job.params, media));
                } catch (Exception e) {
                    settleFailure(job, e);
                    continue;
                }
            }
            boolean holdOpen = ledger.holdState(r.holdId()).map(dev.hearth.billing.HoldState.OPEN::equals).orElse(false);
            if (model == null || !holdOpen) {
                String why = model == null ? "model '" + r.model() + "' is no longer in the catalog" : "its credit hold expired while Hearth was down";
                settleFailure(job, new ModelUnavailable("Request was not run after a restart: " + why, null));
                continue;
            }
            try {
                job.runOn(target);
                live.put(job.id, job);
                dispatch(job);
                resumed++;
            } catch (QueueFull | ModelUnavailable e) {
                settleFailure(job, e);
            }
        }
        if (!unfinished.isEmpty()) log.info("took up {} unfinished requests ({} queued again)", unfinished.size(), resumed);
        return resumed;
    }

    /**
     * Graceful stop: no new jobs; queued v1 jobs fail (their callers are told), queued v2 jobs stay in the table
     * for the next start; running jobs get up to the drain timeout to finish.
     */
    public void drain() {
        stopping = true;
        List<Work> queued = pool.stopAccepting();
        for (Work w : queued) {
            Job job = (Job) w;
            if (job.durable) {
                live.remove(job.id);
                if (job.slot != null) job.slot.release();
                job.outcome.complete(new JobOutcome.Failed(Failures.of(job.model.slug(), new QueueFull("Hearth stopped"))));
            } else {
                settleFailure(job, new QueueFull("Hearth is shutting down; retry shortly"));
            }
        }
        long deadline = clock.millis() + cfg.drainTimeout() * 1000L;
        while (pool.busy() > 0 && clock.millis() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (pool.busy() > 0) log.warn("{} jobs still running after the drain timeout; they will be interrupted", pool.busy());
    }

    public boolean stopping() {
        return stopping;
    }
}
