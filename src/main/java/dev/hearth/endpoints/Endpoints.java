package dev.hearth.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.Money;
import dev.hearth.billing.HardwareRates;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.catalog.Slugs;
import dev.hearth.config.HearthConfig;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.jobs.EndpointTarget;
import dev.hearth.jobs.EndpointTargets;
import dev.hearth.store.Database;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Dedicated endpoints (SPEC §9): the control API an account uses (add, list, update, delete; the same from the
 * HTTP routes and the CLI), and, in a serving Hearth, the lookup the model-call pipeline asks first for the
 * caller's own endpoint of a name. Every change is validated in full before anything is written, so a refused
 * request creates or changes nothing.
 */
public final class Endpoints implements EndpointTargets, AutoCloseable {

    private final EndpointStore store;
    private final Database db;
    private final Catalog catalog;
    private final HardwareRates rates;
    private final WorkerBackend backend;
    private final Clock clock;
    private final long tickMillis;
    private final int maxPerAccount;
    private EndpointPools pools;

    private Endpoints(Database db, Catalog catalog, HardwareRates rates, WorkerBackend backend, Clock clock, long tickMillis,
                      int maxPerAccount) {
        this.db = db;
        this.store = new EndpointStore(db);
        this.catalog = catalog;
        this.rates = rates;
        this.backend = backend;
        this.clock = clock;
        this.tickMillis = tickMillis;
        this.maxPerAccount = maxPerAccount;
    }

    /**
     * Control only (the CLI): reads and writes endpoints, checking models against the configured worker backend;
     * a running Hearth picks the changes up.
     */
    public static Endpoints control(Database db, Catalog catalog, HearthConfig config, WorkerBackend backend, Clock clock) {
        JsonNode section = config.section("endpoints");
        return new Endpoints(db, catalog, HardwareRates.from(section.path("hardware")), backend, clock,
                section.path("billing_tick_seconds").asLong(60) * 1000, section.path("max_per_account").asInt(20));
    }

    /**
     * A serving Hearth's endpoints: their pools start now (warm workers for {@code workers_min}), their workers run
     * on {@code backend} ({@link WorkerBackends#fromConfig}) and are billed through {@code ledger}.
     */
    public static Endpoints serve(Database db, Ledger ledger, Catalog catalog, HearthConfig config, WorkerBackend backend, Clock clock) {
        Endpoints e = control(db, catalog, config, backend, clock);
        e.pools = new EndpointPools(e.store, catalog, backend, new WorkerBilling(ledger, e.rates, e.tickMillis), clock);
        return e;
    }

    // ---- control API -----------------------------------------------------------------------------------------

    public ObjectNode add(String accountId, ObjectNode body) {
        requireAccount(accountId);
        String modelName = body.path("model_name").isTextual() ? body.path("model_name").asText() : null;
        ModelSpec model = modelName == null ? null : catalog.find(modelName);
        EndpointSettings s = EndpointSettings.create(body, model == null ? 60 : Math.min(3_600, model.scaling().executionTimeoutSeconds()));
        check(accountId, s, null);
        // each endpoint may keep up to 10 workers up (in this Hearth's memory on the local backend): a bound per account
        int have = store.ofAccount(accountId).size();
        if (have >= maxPerAccount) {
            throw ApiException.invalid("$.endpoint_name: this account already has " + have + " endpoints, the most it may have "
                    + "(endpoints.max_per_account); delete one first");
        }
        long now = clock.millis();
        Endpoint e = new Endpoint(UUID.randomUUID().toString(), accountId, s.name(), s.modelName(), s.workersMin(), s.workersMax(),
                s.idleTimeout(), s.executionTimeout(), s.scalerType(), s.scalerValue(), s.gpuId(), false,
                s.workersMin() > 0 ? "deploying" : "idle", null, 0, 0, now, now);
        try {
            store.insert(e);
        } catch (UnableToExecuteStatementException ex) {
            // a concurrent add with the same name won the unique index
            if (store.findByName(accountId, s.name()).isPresent()) throw nameTaken(s.name());
            throw ex;
        }
        if (pools != null) pools.reconcile();
        return answer(e.id(), statusOf(e), "Endpoint '" + e.name() + "' created for model '" + e.modelName() + "'");
    }

    /** The names of the account's endpoints (a workflow's model node may name one). */
    public List<String> names(String accountId) {
        return store.ofAccount(accountId).stream().map(Endpoint::name).toList();
    }

    public ArrayNode list(String accountId) {
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (Endpoint e : store.ofAccount(accountId)) list.add(describe(e));
        return list;
    }

    public ObjectNode update(String accountId, ObjectNode body) {
        Endpoint current = named(accountId, body);
        EndpointSettings s = EndpointSettings.update(body, current);
        check(accountId, s, current);
        Endpoint updated = current.with(s, Math.max(clock.millis(), current.updatedAt() + 1));
        try {
            store.update(updated);
        } catch (UnableToExecuteStatementException ex) {
            if (store.findByName(accountId, s.name()).isPresent()) throw nameTaken(s.name());
            throw ex;
        }
        if (pools != null) pools.reconcile();
        return answer(updated.id(), statusOf(updated), "Endpoint '" + updated.name() + "' updated" + (current.suspended() ? " and resumed" : ""));
    }

    public ObjectNode delete(String accountId, ObjectNode body) {
        Endpoint e = named(accountId, body);
        store.markDeleted(e.id(), clock.millis());
        if (pools != null) pools.reconcile(); // stops the workers and posts the last worker time before answering
        Endpoint gone = store.findAny(e.id()).orElse(e);
        ObjectNode a = Json.object().put("endpoint_id", e.id()).put("status", "deleted")
                .put("message", "Endpoint '" + e.name() + "' deleted; its workers are stopped");
        a.put("worker_seconds_billed", gone.billedMillis() / 1000.0).put("amount_billed", Money.toUsd(gone.billedAmount()));
        return a;
    }

    /** One endpoint of the account, by {@code endpoint_id} or else {@code endpoint_name}; 404 for any other account's. */
    private Endpoint named(String accountId, ObjectNode body) {
        JsonNode id = body.get("endpoint_id");
        JsonNode name = body.get("endpoint_name");
        // a number or an object here is a client's mistake, not "no endpoint named": say so
        if (id != null && !id.isNull() && !id.isTextual()) throw ApiException.invalid("$.endpoint_id: must be a string");
        if (name != null && !name.isNull() && !name.isTextual()) throw ApiException.invalid("$.endpoint_name: must be a string");
        Optional<Endpoint> e;
        if (id != null && id.isTextual()) e = store.find(id.asText()).filter(x -> x.accountId().equals(accountId));
        else if (name != null && name.isTextual()) e = store.findByName(accountId, name.asText());
        else throw ApiException.invalid("$.endpoint_id: required (or $.endpoint_name) to say which endpoint");
        return e.orElseThrow(() -> ApiException.notFound("Endpoint " + (id != null && id.isTextual() ? id.asText() : "'" + name.asText() + "'")
                + " not found. GET /endpoint/list lists yours"));
    }

    private void check(String accountId, EndpointSettings s, Endpoint current) {
        if (!Slugs.isValid(s.name())) {
            throw ApiException.invalid("$.endpoint_name: '" + s.name() + "' is not a valid name: lower-case letters, digits, '.', '_' and '-', "
                    + "starting with a letter or digit, at most 128 characters");
        }
        if (Slugs.isReserved(s.name())) throw ApiException.invalid("$.endpoint_name: '" + s.name() + "' is reserved");
        if (catalog.find(s.name()) != null) throw ApiException.invalid("$.endpoint_name: '" + s.name() + "' is the slug of a catalog model");
        ModelSpec model = catalog.find(s.modelName());
        if (model == null) throw ApiException.invalid("$.model_name: no model '" + s.modelName() + "' in the catalog (GET /v1/models lists them)");
        if (model.retired() || !model.enabled()) throw ApiException.invalid("$.model_name: model '" + s.modelName() + "' is not available");
        String refusal = backend.refusal(model);
        if (refusal != null) throw ApiException.invalid("$.model_name: model '" + s.modelName() + "' cannot have a dedicated endpoint: " + refusal);
        if (!rates.knows(s.gpuId())) {
            throw ApiException.invalid("$.gpu_id: unknown hardware class '" + s.gpuId() + "'; this Hearth offers " + rates.nanosPerHour().keySet());
        }
        Optional<Endpoint> same = store.findByName(accountId, s.name());
        if (same.isPresent() && (current == null || !same.get().id().equals(current.id()))) throw nameTaken(s.name());
    }

    private static ApiException nameTaken(String name) {
        return ApiException.invalid("$.endpoint_name: you already have an endpoint named '" + name + "'");
    }

    private void requireAccount(String accountId) {
        boolean exists = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM accounts WHERE id = :id").bind("id", accountId)
                .mapTo(Integer.class).one()) > 0;
        if (!exists) throw ApiException.notFound("Account " + accountId + " not found");
    }

    /** SPEC §9's answer; {@code status} is the endpoint's status right after the change. */
    private static ObjectNode answer(String id, String status, String message) {
        return Json.object().put("endpoint_id", id).put("status", status).put("message", message);
    }

    private String statusOf(Endpoint e) {
        EndpointPool p = pools == null ? null : pools.pool(e.id());
        if (p != null) return p.status();
        return e.workersMin() > 0 ? "deploying" : "idle";
    }

    /** Every stored field, the hourly rate, what was billed, and the live status and workers when this Hearth serves. */
    private ObjectNode describe(Endpoint e) {
        ObjectNode n = Json.object().put("endpoint_id", e.id()).put("endpoint_name", e.name()).put("model_name", e.modelName())
                .put("workers_min", e.workersMin()).put("workers_max", e.workersMax()).put("idle_timeout", e.idleTimeout())
                .put("execution_timeout", e.executionTimeout()).put("scaler_type", e.scalerType()).put("scaler_value", e.scalerValue())
                .put("gpu_id", e.gpuId()).put("hourly_rate", rates.knows(e.gpuId()) ? Money.toUsd(rates.rate(e.gpuId())) : null)
                .put("worker_seconds_billed", e.billedMillis() / 1000.0).put("amount_billed", Money.toUsd(e.billedAmount()))
                .put("created_at", e.createdAt()).put("updated_at", e.updatedAt());
        EndpointPool p = pools == null ? null : pools.pool(e.id());
        if (p != null) {
            p.describe(n);
            if (p.suspended()) n.put("status_detail", EndpointPools.SUSPENDED_WHY);
            else if (p.accountSuspended()) n.put("status_detail", EndpointPools.ACCOUNT_SUSPENDED_WHY);
        } else {
            n.put("status", e.suspended() ? "suspended" : e.status());
            if (e.statusDetail() != null) n.put("status_detail", e.statusDetail());
            n.putArray("workers");
        }
        return n;
    }

    /** The hardware classes an endpoint may name in {@code gpu_id}, with their USD price per worker-hour. */
    public ObjectNode hardware() {
        ObjectNode n = Json.object();
        rates.nanosPerHour().forEach((gpu, rate) -> n.put(gpu, Money.toUsd(rate)));
        return n;
    }

    // ---- the call pipeline's lookup ---------------------------------------------------------------------------

    @Override
    public Optional<EndpointTarget> find(String accountId, String name) {
        EndpointPool p = pools == null ? null : pools.byName(accountId, name);
        if (p == null) return Optional.empty();
        if (p.suspended()) {
            throw ApiException.forbidden("Endpoint '" + name + "' is suspended: the account could not pay for the next billing "
                    + "period of its workers. Add credits, then PUT /endpoint/update to resume it");
        }
        return Optional.of(p);
    }

    @Override
    public void close() {
        if (pools != null) pools.close();
    }
}
