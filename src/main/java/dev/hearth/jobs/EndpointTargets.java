package dev.hearth.jobs;

import java.util.Optional;

/**
 * Finds the caller's own dedicated endpoint by name before the catalog is asked. Another account's endpoint
 * names are invisible: for them the lookup is empty and the name is an unknown slug (404), as SPEC §9 asks.
 */
@FunctionalInterface
public interface EndpointTargets {

    /**
     * The account's endpoint called {@code name}, or empty. Throws an {@link dev.hearth.http.ApiException}
     * when the endpoint exists but takes no calls (suspended, 403).
     */
    Optional<EndpointTarget> find(String accountId, String name);

    EndpointTargets NONE = (accountId, name) -> Optional.empty();
}
