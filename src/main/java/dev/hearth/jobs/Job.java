package dev.hearth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;
import dev.hearth.billing.CreditHold;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.runners.RunInput;
import dev.hearth.runtime.Execution;
import dev.hearth.runtime.Work;

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
    final Long seed;
    final CreditHold hold;
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

    Job(String id, Principal caller, ModelSpec model, ObjectNode params, Long seed, CreditHold hold, boolean durable,
        String webhookUrl, long submittedAt, long admittedNanos, JobEngine engine) {
        this.id = id;
        this.caller = caller;
        this.model = model;
        this.params = params;
        this.seed = seed;
        this.hold = hold;
        this.durable = durable;
        this.webhookUrl = webhookUrl;
        this.submittedAt = submittedAt;
        this.admittedNanos = admittedNanos;
        this.engine = engine;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public RunInput input() {
        return new RunInput(id, params, seed, events);
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
