package dev.hearth.limits;

import dev.hearth.http.Caller;
import dev.hearth.http.JsonBody;
import dev.hearth.http.Replies;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;

/**
 * The operator's view of an account's limits (SPEC §12): {@code GET /admin/accounts/{id}/limits} shows the
 * plan, the overrides and the numbers in force; {@code PUT} replaces the overrides (null or absent fields
 * follow the plan); {@code DELETE} removes them. This node applies a change at once, other gateways within
 * {@code limits.account_cache_seconds}.
 */
public final class LimitRoutes implements HttpService {

    private final Caller caller;
    private final LimitSettings settings;
    private final Limits limits;
    private final JsonBody body;

    public LimitRoutes(Caller caller, LimitSettings settings, Limits limits, JsonBody body) {
        this.caller = caller;
        this.settings = settings;
        this.limits = limits;
        this.body = body;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/admin/accounts/{id}/limits", (req, res) -> {
            caller.admin(req);
            Replies.ok(res, settings.load(id(req)).toJson());
        });
        rules.put("/admin/accounts/{id}/limits", (req, res) -> {
            caller.admin(req);
            AccountLimits l = settings.put(id(req), body.read(req));
            limits.forget(l.accountId());
            Replies.ok(res, l.toJson());
        });
        rules.delete("/admin/accounts/{id}/limits", (req, res) -> {
            caller.admin(req);
            AccountLimits l = settings.setOverrides(id(req), LimitOverrides.NONE);
            limits.forget(l.accountId());
            Replies.ok(res, l.toJson());
        });
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }
}
