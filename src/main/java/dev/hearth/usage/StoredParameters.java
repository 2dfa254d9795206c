package dev.hearth.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.hearth.http.Json;

import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The parameters a usage record keeps when {@code logging.store_parameters} is on (SPEC §7): prompts and
 * settings as sent, but never input media. A {@code data:} URL or a long run of base64 is replaced by a short
 * note of its size; URLs stay (they name media, they are not the media). The stored text is capped so one huge
 * prompt cannot bloat the usage table.
 */
public final class StoredParameters {

    /** Longest stored JSON text; beyond it the text is cut and marked. */
    static final int MAX_CHARS = 64 * 1024;
    /** Base64 runs at least this long are taken for media (an image of a few hundred bytes is still media). */
    private static final int MIN_BASE64 = 256;
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/=\\r\\n_-]+");

    private StoredParameters() {
    }

    /** The JSON text to store; {@code params} is not changed. */
    public static String of(JsonNode params) {
        if (params == null || params.isNull()) return null;
        String text = Json.text(strip(params.deepCopy()));
        return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS) + "…[truncated " + (text.length() - MAX_CHARS) + " characters]";
    }

    private static JsonNode strip(JsonNode n) {
        if (n instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                e.setValue(strip(e.getValue()));
            }
            return o;
        }
        if (n instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) a.set(i, strip(a.get(i)));
            return a;
        }
        if (n.isTextual() && isMedia(n.asText())) return TextNode.valueOf("[media omitted: " + n.asText().length() + " characters]");
        return n;
    }

    static boolean isMedia(String s) {
        if (s.regionMatches(true, 0, "data:", 0, 5)) return true;
        return s.length() >= MIN_BASE64 && s.indexOf(' ') < 0 && BASE64.matcher(s).matches();
    }
}
