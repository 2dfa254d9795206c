package dev.hearth.endpoints;

import dev.hearth.http.AllowedMethods;
import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.JsonBody;
import dev.hearth.http.Replies;
import dev.hearth.limits.Limits;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

import java.util.Map;

/**
 * The dedicated-endpoint control API (SPEC §9): {@code POST /endpoint/add}, {@code GET /endpoint/list},
 * {@code PUT /endpoint/update}, {@code DELETE /endpoint/delete}, each with an account's key. Each path takes
 * only its own method (405 otherwise), so no other request can create or change an endpoint by accident.
 */
public final class EndpointRoutes implements HttpService {

    private static final Map<String, Method> METHODS = Map.of("/endpoint/add", Method.POST, "/endpoint/list", Method.GET,
            "/endpoint/update", Method.PUT, "/endpoint/delete", Method.DELETE);

    private final Caller caller;
    private final Endpoints endpoints;
    private final JsonBody body;
    private final Limits limits;

    public EndpointRoutes(Caller caller, Endpoints endpoints, JsonBody body, Limits limits) {
        this.caller = caller;
        this.endpoints = endpoints;
        this.body = body;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/endpoint/add", (req, res) -> {
            String acc = caller.account(req).accountId();
            Replies.ok(res, endpoints.add(acc, body.read(req)));
        });
        rules.get("/endpoint/list", (req, res) -> {
            String acc = caller.account(req).accountId();
            limits.admitRead(acc);
            Replies.ok(res, Json.object().<com.fasterxml.jackson.databind.node.ObjectNode>set("endpoints", endpoints.list(acc))
                    .set("hardware", endpoints.hardware()));
        });
        rules.put("/endpoint/update", (req, res) -> {
            String acc = caller.account(req).accountId();
            Replies.ok(res, endpoints.update(acc, body.read(req)));
        });
        rules.delete("/endpoint/delete", (req, res) -> {
            String acc = caller.account(req).accountId();
            Replies.ok(res, endpoints.delete(acc, body.read(req)));
        });
        METHODS.forEach((path, method) -> AllowedMethods.only(rules, path, method));
    }
}
