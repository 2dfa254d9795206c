package dev.hearth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.billing.CreditHold;
import dev.hearth.billing.InsufficientCredits;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.Money;
import dev.hearth.billing.Settlement;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runtime.Execution;
import dev.hearth.runtime.ExecutionTimeout;
import dev.hearth.runtime.ModelPool;
import dev.hearth.runtime.ModelUnavailable;
import dev.hearth.usage.UsageRecord;
import dev.hearth.usage.UsageRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * The one pipeline every model call goes through (SPEC §3.1, §5): resolve the model → validate the body →
 * resolve the seed → hold the worst-case price → run → post the actual cost, or release the hold on any
 * failure → write the usage record. Authentication happened before (the caller is known); every refusal
 * before the hold changes nothing, and every failure after it gives the hold back in full.
 */
public final class ModelCalls {

    private static final Logger log = LoggerFactory.getLogger(ModelCalls.class);
    private static final SecureRandom SEEDS = new SecureRandom();
    /** A hold outlives its call by this much before the sweeper may release it (crash recovery). */
    private static final long HOLD_GRACE_MILLIS = 10 * 60_000;

    private final Catalog catalog;
    private final Ledger ledger;
    private final ModelPool pool;
    private final UsageRecorder usage;
    private final Clock clock;
    private final boolean storeParameters;

    public ModelCalls(Catalog catalog, Ledger ledger, ModelPool pool, UsageRecorder usage, Clock clock, boolean storeParameters) {
        this.catalog = catalog;
        this.ledger = ledger;
        this.pool = pool;
        this.usage = usage;
        this.clock = clock;
        this.storeParameters = storeParameters;
    }

    public CallResult call(ModelCall call) {
        if (call.caller().admin()) throw ApiException.forbidden("The admin key cannot call models; use an account's API key");
        ModelSpec model = catalog.resolve(call.slug());
        ObjectNode params = catalog.validator(model.slug()).validate(call.body());
        Long seed = resolveSeed(model, params);
        String requestId = UUID.randomUUID().toString();
        long submittedAt = clock.millis();

        CreditHold hold = hold(call, model, params, requestId);
        Execution execution;
        try {
            execution = pool.run(model, new RunInput(requestId, params, seed));
        } catch (Exception e) {
            ledger.release(hold);
            ApiException failure = failure(model, e).header("x-request-id", requestId);
            recordUsage(call, model, params, requestId, submittedAt, null, failure.status(), 0);
            throw failure;
        }
        long units = execution.output() instanceof dev.hearth.runners.RunOutput.Json j ? j.billableUnits() : 0;
        long cost = model.pricing().actual(params, execution.processingMillis(), units, model.scaling().executionTimeoutSeconds());
        Settlement settled = ledger.post(hold, cost, model.slug());
        recordUsage(call, model, params, requestId, submittedAt, execution, 200, settled.charged());
        return new CallResult(requestId, model, execution.output(), settled.charged(), settled.after().total(),
                execution.queueMillis(), execution.processingMillis(), seed);
    }

    private CreditHold hold(ModelCall call, ModelSpec model, ObjectNode params, String requestId) {
        long price = model.pricing().worstCase(params, model.scaling().executionTimeoutSeconds());
        long ttl = model.scaling().executionTimeoutSeconds() * 1000L + HOLD_GRACE_MILLIS;
        try {
            return ledger.hold(call.caller().accountId(), requestId, price, ttl);
        } catch (InsufficientCredits e) {
            throw new ApiException(406, "Insufficient credits: your balance of $" + Money.format(e.available())
                    + " is below the price of $" + Money.format(e.price()) + " for this call to '" + model.slug()
                    + "'. Add credits and try again");
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

    private static ApiException failure(ModelSpec model, Exception e) {
        if (e instanceof ApiException api) return api;
        if (e instanceof RunFailure rf) return ApiException.invalid(rf.getMessage());
        if (e instanceof ModelUnavailable mu) return new ApiException(503, mu.getMessage()).header("Retry-After", "5");
        if (e instanceof ExecutionTimeout t) return new ApiException(504, t.getMessage());
        log.error("model {} failed", model.slug(), e);
        return new ApiException(500, "Model '" + model.slug() + "' failed while running: " + e.getMessage() + ". You were not charged");
    }

    private void recordUsage(ModelCall call, ModelSpec model, ObjectNode params, String requestId, long submittedAt,
                             Execution ex, int status, long cost) {
        long now = clock.millis();
        usage.record(new UsageRecord(requestId, call.caller().accountId(), call.caller().keyId(), model.slug(), null, null,
                submittedAt, ex == null ? null : ex.startedAt(), now, ex == null ? now - submittedAt : ex.queueMillis(),
                ex == null ? 0 : ex.processingMillis(), status, cost, storeParameters ? Json.text(params) : null));
    }
}
