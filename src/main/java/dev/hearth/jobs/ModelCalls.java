package dev.hearth.jobs;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.billing.CreditHold;
import dev.hearth.billing.InsufficientCredits;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.Money;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.config.HearthConfig;
import dev.hearth.http.ApiException;
import dev.hearth.http.FormFields;
import dev.hearth.http.Json;
import dev.hearth.runners.MediaBlob;
import dev.hearth.limits.JobSlot;
import dev.hearth.limits.Limits;
import dev.hearth.limits.RateVerdict;
import dev.hearth.runtime.QueueFull;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one pipeline every model call goes through (SPEC §3.1, §5), whatever surface it came from: resolve the
 * model → validate the body → resolve the seed → hold the worst-case price → hand the job to the engine.
 * v1 then waits for the job; v2 returns its record at once. Authentication happened before (the caller is
 * known); every refusal before the hold changes nothing, and the engine gives the hold back on any failure.
 */
public final class ModelCalls {

    private static final SecureRandom SEEDS = new SecureRandom();
    /** A v1 hold outlives its call by this much before the sweeper may release it (crash recovery). */
    private static final long V1_HOLD_GRACE_MILLIS = 10 * 60_000;
    /** v2 holds must survive a restart, so they live as long as an unfinished job may reasonably wait. */
    private static final long V2_HOLD_TTL_MILLIS = 24 * 3600_000L;

    private final Catalog catalog;
    private final Ledger ledger;
    private final Limits limits;
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
    private volatile EndpointTargets endpoints = EndpointTargets.NONE;

    /** Dedicated endpoints (SPEC §9): asked for the caller's own endpoint of that name before the catalog. */
    public void useEndpoints(EndpointTargets endpoints) {
        this.endpoints = endpoints;
        engine.useEndpoints(endpoints);
    }

    public ModelCalls(Catalog catalog, Ledger ledger, Limits limits, JobEngine engine, MediaResolver media, Clock clock,
                      HearthConfig.Jobs cfg) {
        this.media = media;
        this.catalog = catalog;
        this.ledger = ledger;
        this.limits = limits;
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
        Job job = admit(call, false, null);
        job.events = call.events();
        if (call.step() != null) job.workflowRunId = call.step().runId();
        if (call.events() != null) call.events().admitted(job.id);
        engine.submit(job);
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
        Job job;
        try {
            job = admit(call, true, webhookUrl);
        } catch (ApiException e) {
            observer.observe(call.slug(), e.status(), 0, 0, 0);
            throw e;
        }
        try {
            engine.store().insert(job, cfg.nodeId(), Json.text(job.params), idempotencyKey, bodyHash);
        } catch (UnableToExecuteStatementException e) {
            ledger.voidHold(job.hold);
            job.slot.release();
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

    /**
     * SPEC §5's order: rate limit → resolve → validate → premium gate → concurrency → hold. A refusal at any
     * step gives back what the steps before it took, and carries the rate headers like every model answer.
     */
    private Job admit(ModelCall call, boolean durable, String webhookUrl) {
        if (call.caller().admin()) throw ApiException.forbidden("The admin key cannot call models; use an account's API key");
        String accountId = call.caller().accountId();
        CreditHold runHold = call.step() == null ? null : call.step().runHold();
        // a workflow node's run was counted against the rate, and passed the premium gate, once at submit
        RateVerdict rate = runHold != null ? null : limits.admitModelCall(accountId);
        JobSlot slot = null;
        try {
            EndpointTarget endpoint = endpoints.find(accountId, call.slug()).orElse(null);
            ModelSpec model = endpoint != null ? endpoint.model() : catalog.resolve(call.slug());
            ObjectNode raw = call.fromForm() ? FormFields.coerce(call.body(), model.inputSchema()) : call.body();
            ObjectNode params = catalog.validator(endpoint != null ? endpoint.catalogSlug() : model.slug()).validate(raw);
            Map<String, MediaBlob> inputs = media.resolve(model, params, call.base());
            if (model.premium() && runHold == null) limits.checkPremium(model, accountId, ledger.balance(accountId).total());
            Long seed = resolveSeed(model, params);
            String requestId = call.step() != null ? call.step().requestId() : UUID.randomUUID().toString();
            slot = limits.acquireJobSlot(accountId, requestId);
            long ttl = durable ? V2_HOLD_TTL_MILLIS : model.scaling().executionTimeoutSeconds() * 1000L + V1_HOLD_GRACE_MILLIS;
            CreditHold hold = runHold != null ? runHold : hold(call, model, params, requestId, ttl);
            Job job = new Job(requestId, call.caller(), model, params, inputs, media.redact(model, params, inputs), call.base(), seed, hold,
                    slot, rate, durable, webhookUrl, clock.millis(), System.nanoTime(), engine);
            job.endpoint = endpoint;
            return job;
        } catch (ApiException e) {
            if (slot != null) slot.release();
            if (rate != null && !e.headers().containsKey("x-ratelimit-limit")) rate.writeTo(e::header);
            throw e;
        }
    }

    private CreditHold hold(ModelCall call, ModelSpec model, ObjectNode params, String requestId, long ttl) {
        long price = model.pricing().worstCase(params, model.scaling().executionTimeoutSeconds());
        try {
            return ledger.hold(call.caller().accountId(), requestId, price, ttl);
        } catch (InsufficientCredits e) {
            throw new ApiException(406, e.explain("this call to '" + model.slug() + "'"));
        }
    }

    /** {@code seed: -1} draws a seed in [0, 2^31-1] (SPEC §3.3); any other value passes through unchanged. */
    private static Long resolveSeed(ModelSpec model, ObjectNode params) {
        if (!model.takesSeed() || !params.has("seed")) return null;
        long seed = params.get("seed").asLong();
        if (seed == -1) {
            seed = SEEDS.nextInt(Integer.MAX_VALUE);
            params.put("seed", seed);
        }
        return seed;
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
