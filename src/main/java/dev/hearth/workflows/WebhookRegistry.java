package dev.hearth.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.store.Database;
import dev.hearth.webhooks.WebhookDispatcher;
import dev.hearth.usage.GenerationView;
import dev.hearth.usage.UsageRecord;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The webhook registry of SPEC §10: an account subscribes URLs to event types ({@code PIXELFLOW}: workflow
 * runs; {@code GENERATION}: every model call of the account that ends). Each {@code NODE_RUN} and
 * {@code GRAPH_RUN} of the account's runs, and each {@code GENERATION}, goes to every active subscribed URL
 * through the durable {@link WebhookDispatcher} (signed with the account's secret, retried, every attempt
 * recorded), and the dispatch log lists those attempts per webhook.
 */
public final class WebhookRegistry implements RunEvents {

    public static final List<String> EVENT_TYPES = List.of("PIXELFLOW", "GENERATION");

    private final Jdbi jdbi;
    private final WebhookDispatcher dispatcher;
    private final Consumer<String> checkUrl;
    private final Clock clock;

    /** {@code checkUrl} refuses a URL the address guard would not deliver to (throws a 422). */
    public WebhookRegistry(Database db, WebhookDispatcher dispatcher, Consumer<String> checkUrl, Clock clock) {
        this.jdbi = db.jdbi();
        this.dispatcher = dispatcher;
        this.checkUrl = checkUrl;
        this.clock = clock;
    }

    public record Webhook(String id, String accountId, String url, List<String> types, boolean active, long createdAt, long updatedAt) {
        ObjectNode toJson() {
            ObjectNode o = Json.object().put("webhook_id", id).put("webhook_url", url);
            ArrayNode t = o.putObject("event").putArray("types");
            types.forEach(t::add);
            return o.put("active", active).put("created_at", createdAt).put("updated_at", updatedAt);
        }
    }

    /** Every event goes to each of an account's webhooks: a bound keeps one run from fanning out without end. */
    static final int MAX_PER_ACCOUNT = 20;

    public Webhook add(String accountId, ObjectNode body) {
        String url = url(body.path("webhook_url"));
        List<String> types = types(body.path("event"), true);
        int have = list(accountId).size();
        if (have >= MAX_PER_ACCOUNT) {
            throw ApiException.invalid("$.webhook_url: this account already has " + have + " webhooks, the most it may have; "
                    + "change one with POST /webhook/update instead");
        }
        String id = "wh_" + UUID.randomUUID().toString().replace("-", "");
        long now = clock.millis();
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO webhook_registry (id, account_id, url, event_types, active, created_at, updated_at) "
                        + "VALUES (:id, :acc, :url, :types, 1, :now, :now)")
                .bind("id", id).bind("acc", accountId).bind("url", url).bind("types", Json.text(types)).bind("now", now).execute());
        return find(accountId, id);
    }

    /** Changes the URL, the event types or {@code active} of one of the account's webhooks. */
    public Webhook update(String accountId, ObjectNode body) {
        JsonNode id = body.path("webhook_id");
        if (!id.isTextual() || id.asText().isBlank()) throw ApiException.invalid("$.webhook_id: required, the id of one of your webhooks (a string)");
        Webhook w = find(accountId, id.asText());
        String url = body.has("webhook_url") ? url(body.get("webhook_url")) : w.url();
        List<String> types = body.has("event") ? types(body.get("event"), true) : w.types();
        // "false" or 0 must not read as a choice: only a JSON boolean changes it
        if (body.has("active") && !body.get("active").isBoolean()) throw ApiException.invalid("$.active: must be true or false");
        boolean active = body.has("active") ? body.get("active").asBoolean() : w.active();
        jdbi.useHandle(h -> h.createUpdate("UPDATE webhook_registry SET url = :url, event_types = :types, active = :active, updated_at = :now WHERE id = :id")
                .bind("url", url).bind("types", Json.text(types)).bind("active", active ? 1 : 0).bind("now", clock.millis()).bind("id", w.id()).execute());
        return find(accountId, w.id());
    }

    public Webhook deactivate(String accountId, String id) {
        Webhook w = find(accountId, id);
        jdbi.useHandle(h -> h.createUpdate("UPDATE webhook_registry SET active = 0, updated_at = :now WHERE id = :id")
                .bind("now", clock.millis()).bind("id", w.id()).execute());
        return find(accountId, id);
    }

    public List<Webhook> list(String accountId) {
        return jdbi.withHandle(h -> list(h, accountId));
    }

    private static List<Webhook> list(Handle h, String accountId) {
        return h.createQuery("SELECT * FROM webhook_registry WHERE account_id = :acc ORDER BY created_at")
                .bind("acc", accountId).map((rs, c) -> webhook(rs)).list();
    }

    public Webhook find(String accountId, String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM webhook_registry WHERE id = :id AND account_id = :acc")
                        .bind("id", id).bind("acc", accountId).map((rs, c) -> webhook(rs)).findOne())
                .orElseThrow(() -> ApiException.notFound("Webhook " + id + " not found"));
    }

    /** Every delivery attempt for one webhook, newest first: what was sent, when, and what the receiver answered. */
    public ArrayNode dispatchLogs(String accountId, String id) {
        find(accountId, id);
        ArrayNode out = Json.MAPPER.createArrayNode();
        jdbi.useHandle(h -> h.createQuery("SELECT r.delivery_id, r.event, d.request_id, d.status, a.attempted_at, a.status_code, a.error, a.duration_ms "
                        + "FROM webhook_registry_deliveries r JOIN webhook_deliveries d ON d.id = r.delivery_id "
                        + "LEFT JOIN webhook_attempts a ON a.delivery_id = r.delivery_id WHERE r.webhook_id = :id "
                        + "ORDER BY r.created_at DESC, a.attempted_at DESC LIMIT 1000")
                .bind("id", id).map((rs, c) -> {
                    ObjectNode o = out.addObject().put("delivery_id", rs.getString(1)).put("event", rs.getString(2))
                            .put("request_id", rs.getString(3)).put("delivery_status", rs.getString(4));
                    long at = rs.getLong(5);
                    if (rs.wasNull()) o.putNull("attempted_at");
                    else o.put("attempted_at", at);
                    int code = rs.getInt(6);
                    if (rs.wasNull()) o.putNull("status_code");
                    else o.put("status_code", code);
                    o.put("error", rs.getString(7));
                    long ms = rs.getLong(8);
                    if (rs.wasNull()) o.putNull("duration_ms");
                    else o.put("duration_ms", ms);
                    return o;
                }).list());
        return out;
    }

    @Override
    public void nodeRun(String accountId, String runId, ObjectNode event) {
        deliver(accountId, runId, "NODE_RUN", event);
    }

    @Override
    public void graphRun(String accountId, String runId, ObjectNode event) {
        deliver(accountId, runId, "GRAPH_RUN", event);
    }

    private void deliver(String accountId, String runId, String event, ObjectNode body) {
        jdbi.useTransaction(h -> deliver(h, accountId, runId, "PIXELFLOW", event, Json.text(body)));
        dispatcher.wake();
    }

    /**
     * A usage-writer listener: every model call that ended, except workflow nodes (they have NODE_RUN), goes to
     * the account's GENERATION webhooks, in the transaction that writes its usage record (so a call's event is
     * queued exactly once, and never for a call whose record was lost). The body is the v2 result's fields.
     */
    public void generationsEnded(Handle h, List<UsageRecord> ended) {
        Map<String, List<Webhook>> hooks = new HashMap<>();
        for (UsageRecord r : ended) {
            if (r.workflowRunId() != null) continue;
            List<Webhook> subscribed = hooks.computeIfAbsent(r.accountId(), a -> list(h, a).stream()
                    .filter(w -> w.active() && w.types().contains("GENERATION")).toList());
            if (!subscribed.isEmpty()) deliver(h, subscribed, r.accountId(), r.requestId(), "GENERATION", Json.text(GenerationView.event(r)));
        }
    }

    private void deliver(Handle h, String accountId, String requestId, String type, String event, String body) {
        deliver(h, list(h, accountId).stream().filter(w -> w.active() && w.types().contains(type)).toList(), accountId, requestId, event, body);
    }

    private void deliver(Handle h, List<Webhook> hooks, String accountId, String requestId, String event, String body) {
        for (Webhook w : hooks) {
            String delivery = dispatcher.enqueue(h, accountId, requestId, w.url(), body);
            h.createUpdate("INSERT INTO webhook_registry_deliveries (delivery_id, webhook_id, event, created_at) VALUES (:d, :w, :e, :now)")
                    .bind("d", delivery).bind("w", w.id()).bind("e", event).bind("now", clock.millis()).execute();
        }
    }

    /** Longer URLs are refused: a receiver's address needs no more, and each delivery stores it again. */
    static final int MAX_URL_LENGTH = 2_048;

    private String url(JsonNode v) {
        if (!v.isTextual() || v.asText().isBlank()) throw ApiException.invalid("$.webhook_url: is required");
        if (v.asText().length() > MAX_URL_LENGTH) throw ApiException.invalid("$.webhook_url: at most " + MAX_URL_LENGTH + " characters");
        checkUrl.accept(v.asText());
        return v.asText();
    }

    private static List<String> types(JsonNode event, boolean required) {
        JsonNode types = event.path("types");
        if (!types.isArray() || types.isEmpty()) {
            if (!required) return EVENT_TYPES;
            throw ApiException.invalid("$.event.types: give the event types, e.g. [\"PIXELFLOW\"]");
        }
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode t : types) {
            String s = t.asText("").toUpperCase(Locale.ROOT);
            if (!EVENT_TYPES.contains(s)) throw ApiException.invalid("$.event.types: unknown event type '" + t.asText() + "' (known: " + EVENT_TYPES + ")");
            if (!out.contains(s)) out.add(s);
        }
        return out;
    }

    private static Webhook webhook(java.sql.ResultSet rs) throws java.sql.SQLException {
        List<String> types = new java.util.ArrayList<>();
        try {
            Json.MAPPER.readTree(rs.getString("event_types")).forEach(t -> types.add(t.asText()));
        } catch (java.io.IOException e) {
            throw new java.sql.SQLException(e);
        }
        return new Webhook(rs.getString("id"), rs.getString("account_id"), rs.getString("url"), List.copyOf(types), rs.getInt("active") == 1,
                rs.getLong("created_at"), rs.getLong("updated_at"));
    }
}
