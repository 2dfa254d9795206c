package dev.hearth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.billing.CreditHold;
import dev.hearth.billing.InsufficientCredits;
import dev.hearth.billing.Ledger;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.ApiException;
import dev.hearth.http.FormFields;
import dev.hearth.limits.JobSlot;
import dev.hearth.limits.Limits;
import dev.hearth.limits.RateVerdict;
import dev.hearth.runners.MediaBlob;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Every model call is admitted here, whatever surface it came from (v1, v2, the OpenAI routes, a dedicated
 * endpoint's name, a workflow's model node), by these steps in this order (SPEC §5):
 * <ol>
 *   <li>{@link Authenticate}: the caller is an account's key (the key itself was checked at the HTTP edge);</li>
 *   <li>{@link RequestRate}: one call from the account's per-minute budget (429);</li>
 *   <li>{@link Resolve}: the name becomes a model, the account's own endpoint first, then the catalog (404);</li>
 *   <li>{@link SurfaceChecks}: the route can serve that model, e.g. embeddings need an embedding model (422);</li>
 *   <li>{@link Validate}: the body against the model's schema, defaults, media inputs, the seed (422/413);</li>
 *   <li>{@link Premium}: a premium model needs a paid plan or a balance (403);</li>
 *   <li>{@link Concurrency}: one of the account's concurrent-job places (429) — undone by releasing it;</li>
 *   <li>{@link Hold}: the worst-case price held on the ledger (406) — undone by releasing the hold.</li>
 * </ol>
 * A refusal at any step undoes, last first, what the steps before it took, so a refused call changes nothing
 * and is charged nothing: nothing is held before every check has passed. A workflow node enters the same
 * chain; its call can name the steps its run took once for all its nodes ({@link ModelCall.WorkflowStep#doneByRun},
 * request rate and premium), and skips exactly those; the hold step hands on the run's own credit hold
 * ({@link ModelCall.WorkflowStep#runHold}) instead of holding again.
 */
public final class AdmissionChain {

    /** The steps, by name: what a workflow run can say it has already done for its nodes. */
    public enum Step { AUTHENTICATE, REQUEST_RATE, RESOLVE, SURFACE_CHECKS, VALIDATE, PREMIUM, CONCURRENCY, HOLD }

    /** Steps a workflow run may take once for all its nodes; the others are about the node's own call. */
    static final Set<Step> RUN_MAY_TAKE = Set.of(Step.REQUEST_RATE, Step.PREMIUM);

    /** One step: {@link #enter} checks or takes; {@link #undo} gives back what it took when a later step refuses. */
    interface AdmissionStep {
        Step name();

        void enter(Admission a);

        default void undo(Admission a) {
        }
    }

    /** A call on its way through the chain: what the steps so far found out and took. */
    static final class Admission {
        final ModelCall call;
        final boolean durable;
        final String accountId;
        final String requestId;
        private final Deque<AdmissionStep> entered = new ArrayDeque<>();
        RateVerdict rate;
        ModelResolver.Target target;
        ObjectNode params;
        Map<String, MediaBlob> media = Map.of();
        Long seed;
        JobSlot slot;
        CreditHold hold;

        Admission(ModelCall call, boolean durable) {
            this.call = call;
            this.durable = durable;
            this.accountId = call.caller().accountId();
            // a workflow node's request id comes from its run and node, so a rerun can never be charged twice
            this.requestId = call.step() != null ? call.step().requestId() : UUID.randomUUID().toString();
        }

        ModelSpec model() {
            return target.model();
        }

        /** Gives back, last first, what every entered step took: for a refusal after admission (v2's insert failed). */
        void undo() {
            while (!entered.isEmpty()) entered.pop().undo(this);
        }
    }

    private final List<AdmissionStep> steps;

    AdmissionChain(Limits limits, ModelResolver resolver, MediaResolver media, Ledger ledger) {
        this.steps = List.of(new Authenticate(), new RequestRate(limits), new Resolve(resolver), new SurfaceChecks(),
                new Validate(media), new Premium(limits, ledger), new Concurrency(limits), new Hold(ledger));
    }

    /** Runs every step not already done by the call's workflow run; on a refusal undoes the entered ones and rethrows. */
    Admission admit(ModelCall call, boolean durable) {
        Admission a = new Admission(call, durable);
        Set<Step> done = call.step() == null ? Set.of() : call.step().doneByRun();
        try {
            for (AdmissionStep step : steps) {
                if (done.contains(step.name())) continue;
                step.enter(a);
                a.entered.push(step);
            }
            return a;
        } catch (RuntimeException e) {
            a.undo();
            // every model answer carries the rate headers, refusals included
            if (e instanceof ApiException api && a.rate != null && !api.headers().containsKey("x-ratelimit-limit")) a.rate.writeTo(api::header);
            throw e;
        }
    }

    /** The caller is an account: the operator's admin key manages Hearth but calls no models (403). */
    static final class Authenticate implements AdmissionStep {
        public Step name() {
            return Step.AUTHENTICATE;
        }

        public void enter(Admission a) {
            if (a.call.caller().admin()) throw ApiException.forbidden("The admin key cannot call models; use an account's API key");
        }
    }

    /** Takes one model call from the account's per-minute budget (429 when spent). A refused call still counts. */
    static final class RequestRate implements AdmissionStep {
        private final Limits limits;

        RequestRate(Limits limits) {
            this.limits = limits;
        }

        public Step name() {
            return Step.REQUEST_RATE;
        }

        public void enter(Admission a) {
            a.rate = limits.admitModelCall(a.accountId);
        }
    }

    /** The name becomes the model it means to this account: its own endpoint first, then the catalog (404). */
    static final class Resolve implements AdmissionStep {
        private final ModelResolver resolver;

        Resolve(ModelResolver resolver) {
            this.resolver = resolver;
        }

        public Step name() {
            return Step.RESOLVE;
        }

        public void enter(Admission a) {
            a.target = resolver.resolve(a.accountId, a.call.slug());
        }
    }

    /** The route can serve the model: chat completions need a chat model, embeddings an embedding model (422). */
    static final class SurfaceChecks implements AdmissionStep {
        public Step name() {
            return Step.SURFACE_CHECKS;
        }

        public void enter(Admission a) {
            a.call.surface().check(a.model(), a.call.slug());
        }
    }

    /**
     * The body against the model's schema with its defaults filled in (a form's text typed by the schema first),
     * then its media inputs fetched and checked, then {@code seed: -1} drawn (SPEC §3.3). 422 or 413 naming the field.
     */
    static final class Validate implements AdmissionStep {
        private static final SecureRandom SEEDS = new SecureRandom();
        private final MediaResolver media;

        Validate(MediaResolver media) {
            this.media = media;
        }

        public Step name() {
            return Step.VALIDATE;
        }

        public void enter(Admission a) {
            ModelSpec model = a.model();
            ObjectNode raw = a.call.fromForm() ? FormFields.coerce(a.call.body(), model.inputSchema()) : a.call.body();
            a.params = a.target.validator().validate(raw);
            a.media = media.resolve(model, a.params, a.call.base());
            a.seed = seed(model, a.params);
        }

        /** {@code seed: -1} draws a seed in [0, 2^31-1]; any other value passes through unchanged. */
        private static Long seed(ModelSpec model, ObjectNode params) {
            if (!model.takesSeed() || !params.has("seed")) return null;
            long seed = params.get("seed").asLong();
            if (seed == -1) {
                seed = SEEDS.nextInt(Integer.MAX_VALUE);
                params.put("seed", seed);
            }
            return seed;
        }
    }

    /** A premium model needs a paid plan or a balance of at least {@code limits.premium_min_balance} (403). */
    static final class Premium implements AdmissionStep {
        private final Limits limits;
        private final Ledger ledger;

        Premium(Limits limits, Ledger ledger) {
            this.limits = limits;
            this.ledger = ledger;
        }

        public Step name() {
            return Step.PREMIUM;
        }

        public void enter(Admission a) {
            if (a.model().premium()) limits.checkPremium(a.model(), a.accountId, ledger.balance(a.accountId).total());
        }
    }

    /** Takes one of the account's concurrent-job places (429 when all are taken); undone by giving it back. */
    static final class Concurrency implements AdmissionStep {
        private final Limits limits;

        Concurrency(Limits limits) {
            this.limits = limits;
        }

        public Step name() {
            return Step.CONCURRENCY;
        }

        public void enter(Admission a) {
            a.slot = limits.acquireJobSlot(a.accountId, a.requestId);
        }

        public void undo(Admission a) {
            a.slot.release();
            a.slot = null;
        }
    }

    /**
     * Holds the call's worst-case price (406 when the balance is short); undone by releasing the hold. The hold
     * of a v1 call outlives it by a grace period, after which the sweeper releases it (a crash under the call);
     * a v2 hold must survive a restart, so it lives as long as an unfinished job may reasonably wait.
     */
    static final class Hold implements AdmissionStep {
        private static final long V1_HOLD_GRACE_MILLIS = 10 * 60_000;
        private static final long V2_HOLD_TTL_MILLIS = 24 * 3600_000L;
        private final Ledger ledger;

        Hold(Ledger ledger) {
            this.ledger = ledger;
        }

        public Step name() {
            return Step.HOLD;
        }

        public void enter(Admission a) {
            CreditHold runHold = a.call.step() == null ? null : a.call.step().runHold();
            if (runHold != null) {
                // a workflow node charges the hold its run took at submit for the whole graph
                a.hold = runHold;
                return;
            }
            ModelSpec model = a.model();
            int timeoutSeconds = model.scaling().executionTimeoutSeconds();
            long ttl = a.durable ? V2_HOLD_TTL_MILLIS : timeoutSeconds * 1000L + V1_HOLD_GRACE_MILLIS;
            long price = model.pricing().worstCase(a.params, timeoutSeconds);
            try {
                // a v2 job's hold must outlive a restart (recovery finds it by id): a database row. A synchronous
                // call dies with the process, so its hold may be decided in memory (Ledger.holdCall).
                a.hold = a.durable ? ledger.hold(a.accountId, a.requestId, price, ttl) : ledger.holdCall(a.accountId, a.requestId, price, ttl);
            } catch (InsufficientCredits e) {
                throw new ApiException(406, e.explain("this call to '" + model.slug() + "'"));
            }
        }

        public void undo(Admission a) {
            // a run's hold outlives a refused node: the run releases what it has left when it ends
            if (!a.hold.multiStep()) ledger.voidHold(a.hold);
            a.hold = null;
        }
    }
}
