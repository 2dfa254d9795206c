package dev.hearth.accounts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;

import java.time.Instant;

/** How a key is listed: never the key itself, only its id, prefix and dates. */
final class KeyJson {

    private KeyJson() {
    }

    static ObjectNode of(ApiKey k) {
        ObjectNode n = Json.object().put("key_id", k.id()).put("prefix", k.prefix()).put("name", k.name())
                .put("created_at", Instant.ofEpochMilli(k.createdAt()).toString());
        n.put("last_used_at", k.lastUsedAt() == null ? null : Instant.ofEpochMilli(k.lastUsedAt()).toString());
        n.put("revoked_at", k.revokedAt() == null ? null : Instant.ofEpochMilli(k.revokedAt()).toString());
        n.put("active", k.revokedAt() == null);
        return n;
    }
}
