package dev.hearth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;
import dev.hearth.http.ApiException;
import dev.hearth.http.BaseUrl;
import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.JsonBody;
import dev.hearth.http.Replies;
import dev.hearth.limits.Limits;
import dev.hearth.runtime.ModelState;
import dev.hearth.runtime.ModelStatus;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.time.Clock;
import java.util.function.Function;

/**
 * The asynchronous API (SPEC §3.2): {@code POST /v2/{slug}} returns a request id at once; the status and
 * result routes (and the legacy {@code /v1/requests/{id}}) answer from the jobs table, FAILED with HTTP 422.
 * A request is visible only to the account that submitted it (others get 404) and only until its record
 * expires.
 */
public final class AsyncRoutes implements HttpService {

    private final Caller caller;
    private final ModelCalls calls;
    private final JobEngine engine;
    private final JsonBody body;
    private final BaseUrl base;
    private final Clock clock;
    private final WebhookTargets webhooks;
    private final Limits limits;
    private final Function<String, ModelStatus> models;

    /** {@code models}: a model's lifecycle by slug, so a request waiting for its model's boot can say so. */
    public AsyncRoutes(Caller caller, ModelCalls calls, JobEngine engine, JsonBody body, BaseUrl base, Clock clock, WebhookTargets webhooks,
                       Limits limits, Function<String, ModelStatus> models) {
        this.limits = limits;
        this.models = models;
        this.caller = caller;
        this.calls = calls;
        this.engine = engine;
        this.body = body;
        this.base = base;
        this.clock = clock;
        this.webhooks = webhooks;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v2/requests/{id}/cancel", (req, res) -> {
            Principal p = caller.account(req);
            JobRecord r = engine.cancel(p, req.path().pathParameters().get("id"));
            reply(res, r, status(req, r));
        });
        rules.get("/v2/requests/{id}/status", (req, res) -> {
            JobRecord r = find(req);
            reply(res, r, status(req, r));
        });
        rules.get("/v2/requests/{id}", (req, res) -> {
            JobRecord r = find(req);
            reply(res, r, RequestViews.result(r));
        });
        rules.get("/v1/requests/{id}", (req, res) -> {
            JobRecord r = find(req);
            reply(res, r, RequestViews.result(r));
        });
        rules.post("/v2/{slug}", (req, res) -> {
            Principal p = caller.of(req);
            JsonBody.Parsed parsed = body.readJsonOrForm(req);
            String webhook = req.headers().first(HeaderNames.create("X-Webhook-Url")).orElse(null);
            if (webhook != null) webhooks.check(webhook);
            String key = req.headers().first(HeaderNames.create("Idempotency-Key")).orElse(null);
            ModelCalls.Submitted submitted = calls.submit(new ModelCall(p, req.path().pathParameters().get("slug"), parsed.body(),
                    base.of(req), parsed.isForm()), key, webhook);
            JobRecord r = submitted.record();
            if (submitted.rate() != null) submitted.rate().writeTo(res::header);
            String b = base.of(req);
            res.header("x-request-id", r.id());
            Replies.ok(res, Json.object().put("request_id", r.id()).put("status", r.status().name())
                    .put("poll_url", b + "/v1/requests/" + r.id())
                    .put("status_url", b + "/v2/requests/" + r.id() + "/status")
                    .put("response_url", b + "/v2/requests/" + r.id()));
        });
    }

    private JobRecord find(ServerRequest req) {
        Principal p = caller.account(req);
        limits.admitRead(p.accountId());
        String id = req.path().pathParameters().get("id");
        return engine.store().find(id)
                .filter(r -> r.accountId().equals(p.accountId()))
                .filter(r -> r.expiresAt() == null || r.expiresAt() > clock.millis())
                .orElseThrow(() -> ApiException.notFound("Request " + id + " not found"));
    }

    private static void reply(ServerResponse res, JobRecord r, ObjectNode body) {
        res.header("x-request-id", r.id());
        Replies.json(res, r.status() == JobStatus.FAILED ? 422 : 200, body);
    }

    private ObjectNode status(ServerRequest req, JobRecord r) {
        String b = base.of(req);
        ObjectNode n = Json.object().put("request_id", r.id()).put("status", r.status().name())
                .put("status_url", b + "/v2/requests/" + r.id() + "/status").put("response_url", b + "/v2/requests/" + r.id());
        n.set("metrics", RequestViews.metrics(r));
        if (r.status() == JobStatus.QUEUED || r.status() == JobStatus.PROCESSING) {
            ModelStatus model = models.apply(r.model());
            if (model.state() == ModelState.BOOTING) {
                // the platform is working on this request (booting its model), though no runner has it yet;
                // the wait is queue time, not billed
                n.put("status", JobStatus.PROCESSING.name());
                ObjectNode boot = n.putObject("boot").put("state", model.state().wire()).put("detail", model.detail());
                if (model.bootProgress() != null) boot.put("progress", model.bootProgress());
            }
        }
        return n;
    }

}
