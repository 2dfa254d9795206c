package dev.hearth.accounts;

/** A key's record; the key itself is never stored, only its hash. */
public record ApiKey(String id, String accountId, String prefix, String name, long createdAt, Long lastUsedAt,
                     Long revokedAt) {
}
