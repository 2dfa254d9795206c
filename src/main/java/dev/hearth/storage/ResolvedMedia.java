package dev.hearth.storage;

import dev.hearth.runners.MediaBlob;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.Map;

/**
 * Parameters after media resolution: the parameters as the caller sent them (validated), and each media field's
 * bytes keyed by field name ({@code "image"}, or {@code "images[1]"} for an item of an array field).
 */
public record ResolvedMedia(ObjectNode params, Map<String, MediaBlob> media) {

    public MediaBlob get(String key) {
        return media.get(key);
    }

    /** The parameters with every media value replaced by a short description: what may be logged or stored. */
    public ObjectNode redactedParams() {
        ObjectNode copy = params.deepCopy();
        media.forEach((key, blob) -> {
            int bracket = key.indexOf('[');
            if (bracket < 0) {
                copy.set(key, TextNode.valueOf(blob.describe()));
            } else {
                String name = key.substring(0, bracket);
                int index = Integer.parseInt(key.substring(bracket + 1, key.length() - 1));
                JsonNode arr = copy.get(name);
                if (arr instanceof ArrayNode a && index < a.size()) a.set(index, TextNode.valueOf(blob.describe()));
            }
        });
        return copy;
    }
}
