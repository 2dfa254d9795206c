package dev.hearth.jobs;

import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.InputValidator;
import dev.hearth.catalog.ModelSpec;

/**
 * What a model name means to an account, for every surface that names one: {@code POST /v1/{slug}} and
 * {@code /v2/{slug}}, the OpenAI routes' {@code model} field, a workflow's model node, and a v2 job recovered
 * after a restart. The account's own dedicated endpoint of that name comes first (SPEC §9), then the catalog;
 * another account's endpoint names are invisible (404 like any unknown slug).
 */
public final class ModelResolver {

    /** A resolved name: the model as it is served, and the endpoint whose queue runs it (null: the public pool). */
    public record Target(ModelSpec model, EndpointTarget endpoint, InputValidator validator) {
    }

    private final Catalog catalog;
    private final EndpointTargets endpoints;

    public ModelResolver(Catalog catalog, EndpointTargets endpoints) {
        this.catalog = catalog;
        this.endpoints = endpoints;
    }

    /** The catalog alone (no dedicated endpoints configured). */
    public static ModelResolver catalogOnly(Catalog catalog) {
        return new ModelResolver(catalog, EndpointTargets.NONE);
    }

    /**
     * The target {@code name} names for {@code accountId}: 404 when nothing does, 403 when it is the account's
     * suspended endpoint, 410 or 503 as the catalog answers for retired or disabled models.
     */
    public Target resolve(String accountId, String name) {
        EndpointTarget endpoint = accountId == null ? null : endpoints.find(accountId, name).orElse(null);
        if (endpoint != null) return new Target(endpoint.model(), endpoint, catalog.validator(endpoint.catalogSlug()));
        ModelSpec model = catalog.resolve(name);
        return new Target(model, null, catalog.validator(model.slug()));
    }

    /** The model {@code name} means for {@code accountId} (null: the catalog only), or null when nothing is called that. */
    public ModelSpec find(String accountId, String name) {
        EndpointTarget endpoint = accountId == null ? null : endpoints.find(accountId, name).orElse(null);
        return endpoint != null ? endpoint.model() : catalog.find(name);
    }

    /** The endpoint {@code name} names for {@code accountId}, or null; a suspended one counts as none (recovery). */
    EndpointTarget endpointOrNull(String accountId, String name) {
        try {
            return endpoints.find(accountId, name).orElse(null);
        } catch (dev.hearth.http.ApiException suspended) {
            return null;
        }
    }

    ModelSpec catalogModel(String slug) {
        return catalog.find(slug);
    }
}
