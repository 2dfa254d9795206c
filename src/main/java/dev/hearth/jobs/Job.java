package dev.hearth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;
import dev.hearth.billing.CreditHold;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.limits.JobSlot;
import dev.hearth.limits.RateVerdict;
import dev.hearth.runners.RunInput;
import dev.hearth.runtime.Execution;
import dev.hearth.runtime.Work;

import dev.hearth.runners.MediaBlob;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted request on its way through the engine: what to run, the credits held for it, and the future
 * its caller waits on. {@code durable} jobs (v2) also live in the jobs table; v1 jobs only here.
 * The {@code settled} flag makes the end of a job happen exactly once, whichever of success, failure,
 * timeout or cancel comes first.
 */
final class Job implements Work {

    final String id;
    final Principal caller;
    final ModelSpec model;
    final ObjectNode params;
    /** Media inputs fetched at admission (not persisted: a recovered v2 job fetches them again). */
    final Map<String, MediaBlob> media;
    /** The parameters as they may be stored in usage records: media described, never included. */
    final ObjectNode loggableParams;
    final String base;
    final Long seed;
    final CreditHold hold;
    /** The account's concurrent-job place, released when the job ends (null for jobs recovered after a restart). */
    final JobSlot slot;
    final RateVerdict rate;
    final boolean durable;
    final String webhookUrl;
    final long submittedAt;
    private final long admittedNanos;
    private final JobEngine engine;

    final CompletableFuture<JobOutcome> outcome = new CompletableFuture<>();
    final AtomicBoolean settled = new AtomicBoolean();
    volatile boolean cancelRequested;
    volatile long queueMillis;
    /** Where a streaming v1 caller takes the events; null otherwise (and always for durable jobs). */
    volatile dev.hearth.runners.EventSink events;
    /** The workflow run this job is a node of (its usage record says so); null otherwise. */
    volatile String workflowRunId;
    /** Where the job waits and runs: its model's public lane or its dedicated endpoint's pool. */
    volatile dev.hearth.runtime.JobLane lane;
    /** The dedicated endpoint's id for the usage record; null for a catalog model. */
    volatile String endpointId;
    /** Why the job was withdrawn (cancel, or its v1 caller gave up waiting), for whoever settles it. */
    volatile Exception withdrawal;

    /** Runs on the resolved target's lane, recorded under its endpoint if it has one. */
    void runOn(ModelResolver.Target target) {
        this.lane = target.lane();
        this.endpointId = target.endpointId();
    }

    Job(String id, Principal caller, ModelSpec model, ObjectNode params, Map<String, MediaBlob> media, ObjectNode loggableParams,
        String base, Long seed, CreditHold hold, JobSlot slot, RateVerdict rate, boolean durable, String webhookUrl, long submittedAt,
        long admittedNanos, JobEngine engine) {
        this.id = id;
        this.caller = caller;
        this.model = model;
        this.params = params;
        this.media = media;
        this.loggableParams = loggableParams;
        this.base = base;
        this.seed = seed;
        this.hold = hold;
        this.slot = slot;
        this.rate = rate;
        this.durable = durable;
        this.webhookUrl = webhookUrl;
        this.submittedAt = submittedAt;
        this.admittedNanos = admittedNanos;
        this.engine = engine;
    }

    /** The same job with its media inputs fetched again (recovery after a restart). */
    Job withMedia(Map<String, MediaBlob> media, ObjectNode loggableParams) {
        return new Job(id, caller, model, params, media, loggableParams, base, seed, hold, slot, rate, durable, webhookUrl,
                submittedAt, admittedNanos, engine);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public RunInput input() {
        return new RunInput(id, params, seed, media, events);
    }

    @Override
    public long admittedNanos() {
        return admittedNanos;
    }

    @Override
    public boolean start(long queueMillis) {
        this.queueMillis = queueMillis;
        return engine.started(this, queueMillis);
    }

    @Override
    public void succeeded(Execution execution) {
        engine.succeeded(this, execution);
    }

    @Override
    public void failed(Exception cause) {
        engine.failed(this, cause);
    }
}
