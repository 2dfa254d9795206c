package dev.hearth.accounts;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.billing.GrantResult;
import dev.hearth.billing.Money;
import dev.hearth.limits.AccountLimits;
import dev.hearth.http.AllowedMethods;
import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.JsonBody;
import dev.hearth.http.Replies;
import dev.hearth.limits.Limits;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;

/**
 * Keys an account manages itself (SPEC §1: {@code /v1/keys}) and the operator's admin API (SPEC §12).
 * Admin routes take only the admin key.
 */
public final class AccountRoutes implements HttpService {

    private final Caller caller;
    private final Accounts accounts;
    private final Administration admin;
    private final JsonBody body;
    private final Limits limits;

    public AccountRoutes(Caller caller, Accounts accounts, Administration admin, JsonBody body, Limits limits) {
        this.caller = caller;
        this.accounts = accounts;
        this.admin = admin;
        this.body = body;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        // which views a key opens, answered with 200 for both kinds of key (the dashboard signs in with it)
        rules.get("/v1/whoami", (req, res) -> {
            Principal p = caller.of(req);
            if (p.admin()) {
                Replies.ok(res, Json.object().put("role", "admin"));
                return;
            }
            limits.admitRead(p.accountId());
            Replies.ok(res, Json.object().put("role", "account").put("account_id", p.accountId()));
        });
        // Segmind's SDK: accounts.current()
        rules.get("/api/auth/authenticate", (req, res) -> {
            String acc = caller.account(req).accountId();
            limits.admitRead(acc);
            Replies.ok(res, current(accounts.require(acc), limits.limitsOf(acc)));
        });
        AllowedMethods.only(rules, "/api/auth/authenticate", Method.GET);
        rules.get("/v1/keys", (req, res) -> {
            String acc = caller.account(req).accountId();
            limits.admitRead(acc);
            ArrayNode keys = Json.MAPPER.createArrayNode();
            accounts.keys(acc).forEach(k -> keys.add(KeyJson.of(k)));
            Replies.ok(res, Json.object().set("keys", keys));
        });
        rules.post("/v1/keys", (req, res) -> {
            String acc = caller.account(req).accountId();
            ObjectNode b = optionalBody(req);
            NewKey k = accounts.createKey(acc, b);
            Replies.ok(res, Json.object().put("key_id", k.keyId()).put("api_key", k.apiKey()));
        });
        rules.delete("/v1/keys/{keyId}", (req, res) -> {
            String acc = caller.account(req).accountId();
            String keyId = req.path().pathParameters().get("keyId");
            accounts.revokeKey(keyId, acc);
            Replies.ok(res, Json.object().put("key_id", keyId).put("revoked", true));
        });

        rules.get("/admin/accounts", (req, res) -> {
            caller.admin(req);
            Replies.ok(res, Json.object().set("accounts", admin.list()));
        });
        rules.post("/admin/accounts", (req, res) -> {
            caller.admin(req);
            Replies.ok(res, admin.createAccount(body.read(req)));
        });
        rules.get("/admin/accounts/{id}", (req, res) -> {
            caller.admin(req);
            Replies.ok(res, admin.describe(id(req)));
        });
        rules.post("/admin/accounts/{id}/keys", (req, res) -> {
            caller.admin(req);
            Replies.ok(res, admin.createKey(id(req), optionalBody(req)));
        });
        rules.delete("/admin/keys/{keyId}", (req, res) -> {
            caller.admin(req);
            Replies.ok(res, admin.revokeKey(req.path().pathParameters().get("keyId")));
        });
        rules.post("/admin/accounts/{id}/credits", (req, res) -> {
            caller.admin(req);
            GrantResult r = admin.credit(id(req), body.read(req));
            Replies.ok(res, admin.creditReply(r));
        });
        rules.put("/admin/accounts/{id}/plan", (req, res) -> {
            caller.admin(req);
            var reply = admin.setPlan(id(req), body.read(req));
            limits.forget(id(req)); // the new plan's limits apply on this node at once, on others within the cache time
            Replies.ok(res, reply);
        });
        rules.post("/admin/accounts/{id}/suspend", (req, res) -> {
            caller.admin(req);
            Replies.ok(res, admin.setSuspended(id(req), true));
        });
        rules.post("/admin/accounts/{id}/unsuspend", (req, res) -> {
            caller.admin(req);
            Replies.ok(res, admin.setSuspended(id(req), false));
        });
    }

    /**
     * The caller's account as {@code GET /api/auth/authenticate} shows it: balances as {@code GET /v1/get-user-credits}
     * reports them (USD), the limits in force (plan with this account's overrides), times as ISO-8601 UTC.
     */
    static ObjectNode current(Account a, AccountLimits l) {
        ObjectNode n = Json.object().put("id", a.id()).put("account_id", a.id()).put("name", a.name()).put("plan", a.plan())
                .put("status", a.status())
                .put("credits", Money.toUsd(a.paidBalance())).put("free-credits", Money.toUsd(a.freeBalance()))
                .put("held", Money.toUsd(a.held()))
                .put("created_at", java.time.Instant.ofEpochMilli(a.createdAt()).toString());
        n.putObject("limits").put("requests_per_minute", l.requestsPerMinute()).put("read_requests_per_minute", l.readRequestsPerMinute())
                .put("concurrent_jobs", l.concurrentJobs()).put("paid_plan", l.paid());
        return n;
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    /** Bodies that may be omitted entirely (creating a key needs no parameters). */
    private ObjectNode optionalBody(ServerRequest req) {
        long len = req.headers().contentLength().orElse(-1);
        if (len == 0 || (len < 0 && !req.content().hasEntity())) return Json.object();
        return body.read(req);
    }
}
