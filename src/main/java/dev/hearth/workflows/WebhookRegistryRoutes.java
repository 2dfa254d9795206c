package dev.hearth.workflows;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.hearth.http.AllowedMethods;
import dev.hearth.http.ApiException;
import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.JsonBody;
import dev.hearth.http.Replies;
import dev.hearth.limits.Limits;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/**
 * SPEC §10's webhook registry: {@code GET /webhook/get}, {@code POST /webhook/add}, {@code POST /webhook/update},
 * {@code GET /webhook/inactive?webhook_id=} and {@code GET /webhook/dispatch-logs?webhook_id=}, for the caller's account.
 */
public final class WebhookRegistryRoutes implements HttpService {

    private final Caller caller;
    private final WebhookRegistry registry;
    private final JsonBody body;

    private final Limits limits;

    public WebhookRegistryRoutes(Caller caller, WebhookRegistry registry, JsonBody body, Limits limits) {
        this.caller = caller;
        this.registry = registry;
        this.body = body;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/webhook/get", (req, res) -> {
            ArrayNode list = Json.MAPPER.createArrayNode();
            registry.list(reader(req)).forEach(w -> list.add(w.toJson()));
            Replies.ok(res, list);
        });
        rules.post("/webhook/add", (req, res) -> Replies.ok(res, registry.add(caller.account(req).accountId(), body.read(req)).toJson()));
        rules.post("/webhook/update", (req, res) -> Replies.ok(res, registry.update(caller.account(req).accountId(), body.read(req)).toJson()));
        rules.get("/webhook/inactive", (req, res) -> Replies.ok(res,
                registry.deactivate(caller.account(req).accountId(), webhookId(req)).toJson()));
        rules.get("/webhook/dispatch-logs", (req, res) -> Replies.ok(res, registry.dispatchLogs(reader(req), webhookId(req))));
        AllowedMethods.only(rules, "/webhook/get", Method.GET);
        AllowedMethods.only(rules, "/webhook/add", Method.POST);
        AllowedMethods.only(rules, "/webhook/update", Method.POST);
        AllowedMethods.only(rules, "/webhook/inactive", Method.GET);
        AllowedMethods.only(rules, "/webhook/dispatch-logs", Method.GET);
    }

    /** The caller's account, after taking one read from its read budget (as every list and poll does, SPEC §5). */
    private String reader(io.helidon.webserver.http.ServerRequest req) {
        String acc = caller.account(req).accountId();
        limits.admitRead(acc);
        return acc;
    }

    private static String webhookId(io.helidon.webserver.http.ServerRequest req) {
        String id = req.query().first("webhook_id").orElse("");
        if (id.isBlank()) throw ApiException.invalid("webhook_id: the query parameter is required");
        return id;
    }
}
