package dev.hearth.jobs;

import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.InputValidator;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.runtime.JobLane;
import dev.hearth.runtime.ModelPool;

/**
 * What a model name means to an account, for every surface that names one: {@code POST /v1/{slug}} and
 * {@code /v2/{slug}}, the OpenAI routes' {@code model} field, a workflow's model node, and a v2 job recovered
 * after a restart. The account's own dedicated endpoint of that name comes first (SPEC §9), then the catalog;
 * another account's endpoint names are invisible (404 like any unknown slug).
 */
public final class ModelResolver {

    /**
     * A resolved name: the model as it is served, the lane its jobs run in (the endpoint's private pool or the
     * model's public lane), and the endpoint's id for usage records (null for a catalog model).
     */
    public record Target(ModelSpec model, JobLane lane, String endpointId, InputValidator validator) {
    }

    private final Catalog catalog;
    private final ModelPool pool;
    private final EndpointTargets endpoints;

    public ModelResolver(Catalog catalog, ModelPool pool, EndpointTargets endpoints) {
        this.catalog = catalog;
        this.pool = pool;
        this.endpoints = endpoints;
    }

    /**
     * The target {@code name} names for {@code accountId}: 404 when nothing does, 403 when it is the account's
     * suspended endpoint, 410 or 503 as the catalog answers for retired or disabled models.
     */
    public Target resolve(String accountId, String name) {
        EndpointTarget endpoint = accountId == null ? null : endpoints.find(accountId, name).orElse(null);
        if (endpoint != null) return of(endpoint);
        return of(catalog.resolve(name));
    }

    private Target of(EndpointTarget endpoint) {
        return new Target(endpoint.model(), endpoint, endpoint.id(), catalog.validator(endpoint.catalogSlug()));
    }

    private Target of(ModelSpec catalogModel) {
        return new Target(catalogModel, pool.lane(catalogModel), null, catalog.validator(catalogModel.slug()));
    }

    /** The model {@code name} means for {@code accountId} (null: the catalog only), or null when nothing is called that. */
    public ModelSpec find(String accountId, String name) {
        EndpointTarget endpoint = accountId == null ? null : endpoints.find(accountId, name).orElse(null);
        return endpoint != null ? endpoint.model() : catalog.find(name);
    }

    /**
     * What a v2 job recovered after a restart runs on, or null when nothing does any more: its endpoint (a
     * suspended one counts as none), else the catalog model even if retired since (it was admitted before).
     */
    Target recovered(String accountId, String name) {
        EndpointTarget endpoint;
        try {
            endpoint = endpoints.find(accountId, name).orElse(null);
        } catch (dev.hearth.http.ApiException suspended) {
            endpoint = null;
        }
        if (endpoint != null) return of(endpoint);
        ModelSpec model = catalog.find(name);
        return model == null ? null : of(model);
    }
}
