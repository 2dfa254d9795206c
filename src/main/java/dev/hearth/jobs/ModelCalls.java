package dev.hearth.jobs;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hearth.billing.Ledger;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.config.HearthConfig;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.limits.Limits;
import dev.hearth.limits.RateVerdict;
import dev.hearth.runtime.QueueFull;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How a model call is answered, whatever surface it came from (SPEC §3.1, §5): the {@link AdmissionChain}
 * admits it (every check, then the hold), the engine runs it; v1 then waits for the job, v2 returns its record
 * at once. Every refusal in the chain changes nothing, and the engine gives the hold back on any failure.
 */
public final class ModelCalls {

    private final AdmissionChain chain;
    private final JobEngine engine;
    private final Clock clock;
    private final HearthConfig.Jobs cfg;
    private volatile CallObserver observer = CallObserver.NONE;

    /** Receives each call's outcome: v1 calls when they answer, v2 calls when refused at submit or when they end. */
    public void observe(CallObserver observer) {
        this.observer = observer;
        engine.onFinished(r -> observer.observe(r.model(), r.status() == JobStatus.COMPLETED ? 200 : r.errorStatus() == null ? 499 : r.errorStatus(),
                orZero(r.queueMillis()), orZero(r.processingMillis()), r.finishedAt() == null ? 0 : r.finishedAt() - r.submittedAt()));
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    private final MediaResolver media;

    /** {@code resolver} says what a name means to the caller: its own dedicated endpoint first (SPEC §9), then the catalog. */
    public ModelCalls(ModelResolver resolver, Ledger ledger, Limits limits, JobEngine engine, MediaResolver media, Clock clock,
                      HearthConfig.Jobs cfg) {
        this.media = media;
        this.chain = new AdmissionChain(limits, resolver, media, ledger);
        this.engine = engine;
        this.clock = clock;
        this.cfg = cfg;
    }

    /** v1: admits the call, waits for its job and returns the output, or throws the refusal or failure. */
    public CallResult call(ModelCall call) {
        long t0 = System.nanoTime();
        int status = 500;
        long queue = 0, processing = 0;
        try {
            CallResult r = run(call);
            status = 200;
            queue = r.queueMillis();
            processing = r.processingMillis();
            return r;
        } catch (ApiException e) {
            status = e.status();
            throw e;
        } finally {
            observer.observe(call.slug(), status, queue, processing, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private CallResult run(ModelCall call) {
        Job job = job(chain.admit(call, false), null);
        if (call.events() != null) call.events().admitted(job.id);
        engine.submitAndRun(job);
        long waitMillis = (job.model.scaling().executionTimeoutSeconds() + cfg.maxQueueWait()) * 1000L;
        JobOutcome outcome;
        try {
            outcome = job.outcome.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            engine.giveUp(job, new QueueFull("Model '" + job.model.slug() + "' had no free capacity within " + cfg.maxQueueWait() + " s"));
            outcome = job.outcome.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            engine.giveUp(job, new QueueFull("the request was abandoned"));
            throw new ApiException(503, "Request interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ApiException(500, "Internal error: " + e.getCause());
        }
        return switch (outcome) {
            case JobOutcome.Completed c -> c.result();
            case JobOutcome.Failed f -> throw f.error();
        };
    }

    /**
     * v2: admits the call, stores it as QUEUED and returns at once. With an Idempotency-Key, a repeat of the
     * same body returns the first request; a different body under the same key → 422.
     */
    /** A v2 submission's record and its standing against the rate limit (null for an idempotent repeat). */
    public record Submitted(JobRecord record, RateVerdict rate) {
    }

    public Submitted submit(ModelCall call, String idempotencyKey, String webhookUrl) {
        String bodyHash = idempotencyKey == null ? null : bodyHash(call);
        if (idempotencyKey != null) {
            if (idempotencyKey.length() > 255) throw ApiException.invalid("Idempotency-Key: at most 255 characters");
            Optional<JobRecord> earlier = sameRequest(call, idempotencyKey, bodyHash);
            if (earlier.isPresent()) return new Submitted(earlier.get(), null);
        }
        AdmissionChain.Admission admitted;
        try {
            admitted = chain.admit(call, true);
        } catch (ApiException e) {
            observer.observe(call.slug(), e.status(), 0, 0, 0);
            throw e;
        }
        Job job = job(admitted, webhookUrl);
        try {
            engine.store().insert(job, cfg.nodeId(), Json.text(job.params), idempotencyKey, bodyHash);
        } catch (UnableToExecuteStatementException e) {
            admitted.undo();
            // a concurrent submit with the same key won the insert: answer with its request
            if (idempotencyKey != null) return new Submitted(sameRequest(call, idempotencyKey, bodyHash).orElseThrow(() -> e), null);
            throw e;
        }
        engine.submit(job);
        return new Submitted(engine.store().find(job.id).orElseThrow(), job.rate);
    }

    private Optional<JobRecord> sameRequest(ModelCall call, String key, String bodyHash) {
        Optional<JobRecord> earlier = engine.store().findByIdempotencyKey(call.caller().accountId(), key);
        if (earlier.isPresent() && !bodyHash.equals(earlier.get().bodyHash())) {
            throw ApiException.invalid("Idempotency-Key '" + key + "' was already used with a different request body");
        }
        return earlier;
    }

    /** The admitted call as a job for the engine. */
    private Job job(AdmissionChain.Admission a, String webhookUrl) {
        ModelSpec model = a.model();
        ModelCall call = a.call;
        Job job = new Job(a.requestId, call.caller(), model, a.params, a.media, media.redact(model, a.params, a.media), call.base(), a.seed,
                a.hold, a.slot, a.rate, a.durable, webhookUrl, clock.millis(), System.nanoTime(), engine);
        job.runOn(a.target);
        if (call.step() != null) job.workflowRunId = call.step().runId();
        job.events = call.events();
        return job;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper CANONICAL = Json.MAPPER.copy()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** Hash of the model and body with keys sorted, so key order does not make two bodies differ. */
    private static String bodyHash(ModelCall call) {
        try {
            Object canonical = CANONICAL.treeToValue(call.body(), Map.class);
            byte[] text = (call.slug() + "\n" + CANONICAL.writeValueAsString(canonical)).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
