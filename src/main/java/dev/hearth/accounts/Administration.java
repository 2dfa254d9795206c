package dev.hearth.accounts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.billing.Balance;
import dev.hearth.billing.GrantResult;
import dev.hearth.billing.EntryKind;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.Money;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;

import java.math.BigDecimal;
import java.util.Set;

/**
 * The operator's operations (SPEC §12), shared by the admin HTTP API and the CLI so both behave the same:
 * they take and return the same JSON and refuse bad input with the same messages.
 */
public final class Administration {

    private static final BigDecimal MAX_GRANT_USD = BigDecimal.valueOf(1_000_000_000L);

    private final Accounts accounts;
    private final Ledger ledger;
    private final Set<String> plans;
    private final long defaultFreeCredits;

    public Administration(Accounts accounts, Ledger ledger, Set<String> plans, long defaultFreeCredits) {
        this.accounts = accounts;
        this.ledger = ledger;
        this.plans = Set.copyOf(plans);
        this.defaultFreeCredits = defaultFreeCredits;
    }

    /** {@code {"name", "plan", "free_credits"?}} → {@code {"account_id", "api_key", "key_id"}}. */
    public ObjectNode createAccount(JsonNode body) {
        String name = requiredText(body, "name");
        String plan = plan(body.path("plan").isMissingNode() ? "free" : requiredText(body, "plan"));
        long free = body.has("free_credits") ? usd(body.get("free_credits"), "free_credits", false) : defaultFreeCredits;
        Accounts.Created created = accounts.create(name, plan, free);
        return Json.object().put("account_id", created.accountId()).put("api_key", created.key().apiKey())
                .put("key_id", created.key().keyId());
    }

    public ObjectNode createKey(String accountId, JsonNode body) {
        NewKey key = accounts.createKey(accountId, body);
        return Json.object().put("key_id", key.keyId()).put("api_key", key.apiKey());
    }

    public ObjectNode revokeKey(String keyId) {
        accounts.revokeKey(keyId, null);
        return Json.object().put("key_id", keyId).put("revoked", true);
    }

    /** {@code {"amount", "kind": "paid|free", "reference"}}: a grant, recharge or (negative) correction. */
    public GrantResult credit(String accountId, JsonNode body) {
        accounts.require(accountId);
        long amount = usd(body.get("amount"), "amount", true);
        if (amount == 0) throw ApiException.invalid("$.amount: must not be zero");
        String kindText = body.path("kind").asText("paid");
        Ledger.CreditKind kind = switch (kindText) {
            case "paid" -> Ledger.CreditKind.PAID;
            case "free" -> Ledger.CreditKind.FREE;
            default -> throw ApiException.invalid("$.kind: must be \"paid\" or \"free\"");
        };
        String reference = requiredText(body, "reference");
        if (reference.length() > 200) throw ApiException.invalid("$.reference: at most 200 characters");
        return ledger.grant(accountId, amount, kind, reference, amount > 0 ? EntryKind.GRANT : EntryKind.CORRECTION,
                body.path("description").asText(null));
    }

    public ObjectNode creditReply(GrantResult r) {
        Balance b = ledger.balance(r.entry().accountId());
        return Json.object().put("entry_id", r.entry().id()).put("account_id", r.entry().accountId())
                .put("amount", Money.toUsd(r.entry().amount())).put("kind", r.entry().creditKind())
                .put("reference", r.entry().reference()).put("repeated", r.repeated())
                .put("credits", Money.toUsd(b.paid())).put("free-credits", Money.toUsd(b.free()));
    }

    public ObjectNode setPlan(String accountId, JsonNode body) {
        accounts.setPlan(accountId, plan(requiredText(body, "plan")));
        return describe(accountId);
    }

    public ObjectNode setSuspended(String accountId, boolean suspended) {
        accounts.setStatus(accountId, suspended ? "suspended" : "active");
        return describe(accountId);
    }

    public ObjectNode describe(String accountId) {
        Account a = accounts.require(accountId);
        ObjectNode n = Json.object().put("account_id", a.id()).put("name", a.name()).put("plan", a.plan())
                .put("status", a.status()).put("credits", Money.toUsd(a.paidBalance())).put("free-credits", Money.toUsd(a.freeBalance()))
                .put("held", Money.toUsd(a.held())).put("created_at", java.time.Instant.ofEpochMilli(a.createdAt()).toString());
        ArrayNode keys = n.putArray("keys");
        accounts.keys(accountId).forEach(k -> keys.add(KeyJson.of(k)));
        return n;
    }

    public ArrayNode list() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Account a : accounts.list()) {
            out.add(Json.object().put("account_id", a.id()).put("name", a.name()).put("plan", a.plan()).put("status", a.status())
                    .put("credits", Money.toUsd(a.paidBalance())).put("free-credits", Money.toUsd(a.freeBalance()))
                    .put("system", a.system()));
        }
        return out;
    }

    private String plan(String plan) {
        if (!plans.contains(plan)) throw ApiException.invalid("$.plan: unknown plan '" + plan + "'; configured plans: " + String.join(", ", plans.stream().sorted().toList()));
        return plan;
    }

    private static String requiredText(JsonNode body, String field) {
        JsonNode v = body == null ? null : body.get(field);
        if (v == null || v.isNull()) throw ApiException.invalid("$." + field + ": is required");
        if (!v.isTextual() || v.asText().isBlank()) throw ApiException.invalid("$." + field + ": must be a non-empty string");
        return v.asText().trim();
    }

    /** A USD amount given as a JSON number, exact to nine decimals. */
    static long usd(JsonNode v, String field, boolean allowNegative) {
        if (v == null || v.isNull()) throw ApiException.invalid("$." + field + ": is required");
        if (!v.isNumber()) throw ApiException.invalid("$." + field + ": must be a number of USD, e.g. 5 or 0.25");
        BigDecimal d = v.decimalValue();
        if (!allowNegative && d.signum() < 0) throw ApiException.invalid("$." + field + ": must not be negative");
        if (d.abs().compareTo(MAX_GRANT_USD) > 0) throw ApiException.invalid("$." + field + ": is too large");
        try {
            return Money.fromUsd(d);
        } catch (ArithmeticException e) {
            throw ApiException.invalid("$." + field + ": at most 9 decimals");
        }
    }
}
