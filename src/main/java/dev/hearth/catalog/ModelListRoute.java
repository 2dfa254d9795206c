package dev.hearth.catalog;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.AllowedMethods;
import dev.hearth.http.BaseUrl;
import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.Replies;
import dev.hearth.limits.Limits;
import dev.hearth.runtime.ModelPool;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

import java.util.List;

/**
 * {@code GET /inference-model-information/list} (Segmind's SDK: {@code models.list()}): every model the caller
 * may call, in one flat list: the catalog's models ({@code type: "model"}), the account's dedicated endpoints
 * ({@code "endpoint"}) and its published workflows ({@code "workflow"}), each with the URL of its input schema.
 */
public final class ModelListRoute implements HttpService {

    /** What an account may call beyond the catalog (its endpoints and workflows), as list entries. */
    @FunctionalInterface
    public interface AccountModels {
        List<ObjectNode> of(String accountId, String base);
    }

    private final Caller caller;
    private final Catalog catalog;
    private final ModelPool pool;
    private final Limits limits;
    private final BaseUrl base;
    private final AccountModels accountModels;

    public ModelListRoute(Caller caller, Catalog catalog, ModelPool pool, Limits limits, BaseUrl base, AccountModels accountModels) {
        this.caller = caller;
        this.catalog = catalog;
        this.pool = pool;
        this.limits = limits;
        this.base = base;
        this.accountModels = accountModels;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/inference-model-information/list", (req, res) -> {
            String account = caller.account(req).accountId();
            limits.admitRead(account);
            String base = this.base.of(req);
            ArrayNode models = Json.MAPPER.createArrayNode();
            for (ModelSpec s : catalog.all()) {
                if (s.retired()) continue;
                ObjectNode e = entry(s.slug(), "model", s, pool.status(s.slug()).state().wire(), schemaUrl(base, s.slug()));
                String disabled = CatalogRoutes.whyDisabled(s, pool);
                if (disabled != null) e.put("disabled", disabled);
                models.add(e);
            }
            accountModels.of(account, base).forEach(models::add);
            Replies.ok(res, Json.object().put("count", models.size()).set("models", models));
        });
        AllowedMethods.only(rules, "/inference-model-information/list", Method.GET);
    }

    /** The URL that answers a catalog model's input JSON Schema ({@code GET /v1/models/{slug}/input-schema}). */
    public static String schemaUrl(String base, String catalogSlug) {
        return base + "/v1/models/" + catalogSlug + "/input-schema";
    }

    /** One entry: the slug to call, what it is, and the model's title, category, pricing and premium flag. */
    public static ObjectNode entry(String slug, String type, ModelSpec s, String status, String inputSchemaUrl) {
        ObjectNode n = Json.object().put("slug", slug).put("type", type).put("title", s.title()).put("category", s.category());
        n.set("pricing", s.pricing().toJson());
        return n.put("premium", s.premium()).put("status", status).put("input_schema_url", inputSchemaUrl);
    }
}
