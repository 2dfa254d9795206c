package dev.hearth.workflows;

import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;

/**
 * What a model node's {@code model} names, seen from an account: that account's own dedicated endpoint of
 * that name first (SPEC §9: served under the endpoint's name, not charged per call), then the catalog, the
 * same order the call pipeline resolves a slug in. A graph is checked against its owner's endpoints; a run
 * calls each node as its caller, so another account running a public workflow cannot reach the owner's
 * private endpoint (that node fails with 404, as any call to it would).
 */
@FunctionalInterface
public interface NodeModels {

    /** The model {@code name} means for {@code accountId} (null: the catalog only), or null if none. */
    ModelSpec find(String accountId, String name);

    static NodeModels catalogOnly(Catalog catalog) {
        return (accountId, name) -> catalog.find(name);
    }
}
