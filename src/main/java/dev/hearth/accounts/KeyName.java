package dev.hearth.accounts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.http.ApiException;

/**
 * The optional {@code name} of a new key, a label for people. It must be text of at most {@link #MAX_LENGTH}
 * characters: listings show every key's name, so a megabyte name would be served back on every {@code GET /v1/keys},
 * and a number or an object must not be stored as whatever text it happens to turn into.
 */
final class KeyName {

    static final int MAX_LENGTH = 100;

    private KeyName() {
    }

    /** The name in {@code body} (null when absent or null); 422 when it is not text or is too long. */
    static String of(JsonNode body) {
        JsonNode n = body == null ? null : body.get("name");
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw ApiException.invalid("$.name: must be a string, got " + n.getNodeType().name().toLowerCase());
        String name = n.asText();
        if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
            throw ApiException.invalid("$.name: must be at most " + MAX_LENGTH + " characters, got " + name.codePointCount(0, name.length()));
        }
        return name;
    }
}
