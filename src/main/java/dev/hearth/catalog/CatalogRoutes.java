package dev.hearth.catalog;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;
import dev.hearth.http.ApiException;
import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.Replies;
import dev.hearth.limits.Limits;
import dev.hearth.runtime.ModelPool;
import dev.hearth.runtime.ModelStatus;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

import java.time.Instant;

/**
 * {@code GET /v1/models} in OpenAI's list shape, each entry extended with title, category, premium, pricing and
 * status; {@code GET /v1/models/{slug}} adds the input schema, output type and lifecycle detail (SPEC §4).
 */
public final class CatalogRoutes implements HttpService {

    private final Caller caller;
    private final Catalog catalog;
    private final ModelPool pool;
    private final Limits limits;

    public CatalogRoutes(Caller caller, Catalog catalog, ModelPool pool, Limits limits) {
        this.caller = caller;
        this.catalog = catalog;
        this.pool = pool;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/models", (req, res) -> {
            read(req);
            ArrayNode data = Json.MAPPER.createArrayNode();
            for (ModelSpec s : catalog.all()) if (!s.retired()) data.add(entry(s));
            Replies.ok(res, Json.object().put("object", "list").set("data", data));
        });
        rules.post("/v1/models/{slug}/warm", (req, res) -> {
            caller.admin(req);
            String slug = req.path().pathParameters().get("slug");
            if (catalog.find(slug) == null) throw ApiException.notFound("Model '" + slug + "' not found");
            if (!pool.warm(slug)) throw new ApiException(503, "Model '" + slug + "' cannot run on this Hearth");
            Replies.json(res, 202, Json.object().put("id", slug).put("status", pool.status(slug).state().wire()));
        });
        rules.get("/v1/models/{slug}/input-schema", (req, res) -> {
            read(req);
            String slug = req.path().pathParameters().get("slug");
            ModelSpec s = catalog.find(slug);
            if (s == null) throw ApiException.notFound("Model '" + slug + "' not found");
            Replies.ok(res, s.inputSchema());
        });
        rules.get("/v1/models/{slug}", (req, res) -> {
            read(req);
            String slug = req.path().pathParameters().get("slug");
            ModelSpec s = catalog.find(slug);
            if (s == null) throw ApiException.notFound("Model '" + slug + "' not found");
            ObjectNode n = entry(s);
            n.set("input_schema", s.inputSchema());
            n.put("output", s.output());
            n.put("description", s.description());
            ModelStatus st = pool.status(slug);
            n.put("instances", st.instances()).put("busy", st.busy()).put("queued", st.queued());
            n.put("last_used_at", st.lastUsedAt() == null ? null : Instant.ofEpochMilli(st.lastUsedAt()).toString());
            n.put("boot_seconds", st.bootSeconds());
            n.put("status_detail", st.detail());
            n.put("boot_progress", st.bootProgress());
            Replies.ok(res, n);
        });
    }

    /** Authenticates, then spends one read of the account's read limit (the operator's reads are not limited). */
    private void read(io.helidon.webserver.http.ServerRequest req) {
        Principal p = caller.of(req);
        if (!p.admin()) limits.admitRead(p.accountId());
    }

    private ObjectNode entry(ModelSpec s) {
        ObjectNode n = Json.object().put("id", s.slug()).put("object", "model").put("owned_by", s.ownedBy()).put("created", s.created())
                .put("title", s.title()).put("category", s.category()).put("premium", s.premium());
        n.set("pricing", s.pricing().toJson());
        n.put("status", pool.status(s.slug()).state().wire());
        String disabled = whyDisabled(s, pool);
        if (disabled != null) n.put("disabled", disabled);
        return n;
    }

    /** Why a listed model cannot run on this Hearth (no API key, no runner of its type), or null when it can. */
    static String whyDisabled(ModelSpec s, ModelPool pool) {
        if (!s.enabled()) return s.disabledReason();
        if (!pool.canRun(s)) return "runner type '" + s.runner().type() + "' is not available on this Hearth";
        return null;
    }
}
