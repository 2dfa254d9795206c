package dev.hearth.runtime;

/** A snapshot of one model's lifecycle for {@code GET /v1/models/{slug}} (SPEC §4). */
public record ModelStatus(ModelState state, int instances, int busy, int queued, Long lastUsedAt, Double bootSeconds,
                          String detail) {
}
