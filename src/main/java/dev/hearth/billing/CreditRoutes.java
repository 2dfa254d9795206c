package dev.hearth.billing;

import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.Replies;
import dev.hearth.limits.Limits;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/** {@code GET /v1/get-user-credits} → {@code {"credits": paid, "free-credits": free}} in USD (SPEC §6). */
public final class CreditRoutes implements HttpService {

    private final Caller caller;
    private final Ledger ledger;
    private final Limits limits;

    public CreditRoutes(Caller caller, Ledger ledger, Limits limits) {
        this.caller = caller;
        this.ledger = ledger;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/get-user-credits", (req, res) -> {
            String accountId = caller.account(req).accountId();
            limits.admitRead(accountId);
            Balance b = ledger.balance(accountId);
            Replies.ok(res, Json.object().put("credits", Money.toUsd(b.paid())).put("free-credits", Money.toUsd(b.free())));
        });
    }
}
