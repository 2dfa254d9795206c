package dev.hearth.webhooks;

import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.Replies;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/** {@code GET /v1/webhook-secret} and {@code POST /v1/webhook-secret/rotate} (SPEC §3.2). */
public final class WebhookRoutes implements HttpService {

    private final Caller caller;
    private final WebhookSecrets secrets;

    public WebhookRoutes(Caller caller, WebhookSecrets secrets) {
        this.caller = caller;
        this.secrets = secrets;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/webhook-secret", (req, res) ->
                Replies.ok(res, Json.object().put("secret", secrets.secretOf(caller.account(req).accountId()))));
        rules.post("/v1/webhook-secret/rotate", (req, res) ->
                Replies.ok(res, Json.object().put("secret", secrets.rotate(caller.account(req).accountId()))));
    }
}
