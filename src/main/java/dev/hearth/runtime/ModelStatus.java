package dev.hearth.runtime;

/**
 * A snapshot of one model's lifecycle for {@code GET /v1/models/{slug}} (SPEC §4) and a v2 request's status:
 * {@code detail} is the boot's current step, {@code bootProgress} how far that step is (0..1) when it can tell.
 */
public record ModelStatus(ModelState state, int instances, int busy, int queued, Long lastUsedAt, Double bootSeconds,
                          String detail, Double bootProgress) {
}
