package dev.hearth.endpoints;

/**
 * One dedicated endpoint as stored (SPEC §9): whose it is, which catalog model it runs, how its workers scale
 * and on which hardware class they are billed. Times are epoch ms; timeouts seconds.
 */
public record Endpoint(String id, String accountId, String name, String modelName, int workersMin, int workersMax,
                       int idleTimeout, int executionTimeout, String scalerType, int scalerValue, String gpuId,
                       boolean suspended, String status, String statusDetail, long billedMillis, long billedAmount,
                       long createdAt, long updatedAt) {

    /** The same endpoint with the settings of {@code s} (an update), keeping identity, billing and suspension. */
    Endpoint with(EndpointSettings s, long now) {
        return new Endpoint(id, accountId, s.name(), s.modelName(), s.workersMin(), s.workersMax(), s.idleTimeout(),
                s.executionTimeout(), s.scalerType(), s.scalerValue(), s.gpuId(), suspended, status, statusDetail, billedMillis,
                billedAmount, createdAt, now);
    }

    /** True when a change from {@code before} needs new workers (another model or hardware class). */
    boolean needsNewWorkers(Endpoint before) {
        return !modelName.equals(before.modelName) || !gpuId.equals(before.gpuId);
    }
}
