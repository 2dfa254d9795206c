package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A path into a JSON document, written either way people copy them from API docs:
 * <ul>
 *   <li>a JSON Pointer (RFC 6901), starting with {@code /}: {@code /choices/0/message/content}, with {@code ~1}
 *       for a {@code /} and {@code ~0} for a {@code ~} inside a key;</li>
 *   <li>a dotted path with bracketed indexes: {@code choices[0].message.content}, optionally starting with
 *       {@code $} or {@code $.}; a key holding a dot or bracket is written quoted in brackets: {@code ["a.b"]}.</li>
 * </ul>
 * The empty path (and {@code $}) is the whole document. A number step picks an array element when the node is
 * an array and the key of that name when it is an object. A path that does not resolve names the deepest part
 * that did and says what is there instead.
 */
final class JsonPath {

    /** One step and the text of the path up to and including it, for messages. */
    private record Step(String key, String upTo) {
    }

    private final String text;
    private final List<Step> steps;

    private JsonPath(String text, List<Step> steps) {
        this.text = text;
        this.steps = steps;
    }

    static JsonPath parse(String path) throws OperationFailure {
        return path.startsWith("/") ? pointer(path) : dotted(path);
    }

    private static JsonPath pointer(String path) {
        List<Step> steps = new ArrayList<>();
        int start = 1;
        while (true) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            String key = path.substring(start, end).replace("~1", "/").replace("~0", "~");
            steps.add(new Step(key, path.substring(0, end)));
            if (slash < 0) return new JsonPath(path, steps);
            start = slash + 1;
        }
    }

    private static JsonPath dotted(String path) throws OperationFailure {
        List<Step> steps = new ArrayList<>();
        int i = 0;
        int n = path.length();
        if (path.startsWith("$")) {
            i = 1;
            if (i < n && path.charAt(i) == '.') i++;
        }
        boolean expectName = true; // at the start, or right after a dot
        while (i < n) {
            char c = path.charAt(i);
            if (c == '[') {
                int close;
                String key;
                char q = i + 1 < n ? path.charAt(i + 1) : 0;
                if (q == '"' || q == '\'') {
                    int endQuote = path.indexOf(q, i + 2);
                    if (endQuote < 0 || endQuote + 1 >= n || path.charAt(endQuote + 1) != ']') {
                        throw bad(path, "a quoted key opened at position " + i + " is not closed with " + q + "]");
                    }
                    key = path.substring(i + 2, endQuote);
                    close = endQuote + 1;
                } else {
                    close = path.indexOf(']', i);
                    if (close < 0) throw bad(path, "'[' at position " + i + " has no closing ']'");
                    key = path.substring(i + 1, close).strip();
                    if (!key.matches("\\d+")) throw bad(path, "'[" + key + "]' is not an array index (a whole number) or a quoted key");
                }
                steps.add(new Step(key, path.substring(0, close + 1)));
                i = close + 1;
                expectName = false;
            } else if (c == '.') {
                if (expectName) throw bad(path, "empty key before the '.' at position " + i);
                i++;
                expectName = true;
                if (i == n) throw bad(path, "it ends with a '.'");
            } else {
                if (!expectName) throw bad(path, "expected '.' or '[' at position " + i);
                int end = i;
                while (end < n && path.charAt(end) != '.' && path.charAt(end) != '[') end++;
                steps.add(new Step(path.substring(i, end), path.substring(0, end)));
                i = end;
                expectName = false;
            }
        }
        return new JsonPath(path, steps);
    }

    private static OperationFailure bad(String path, String why) {
        return new OperationFailure("path '" + path + "' cannot be read: " + why
                + " (write a JSON Pointer like /choices/0/message/content or a dotted path like choices[0].message.content)");
    }

    /** The node at this path, or a failure naming the path and where it stopped resolving. */
    JsonNode resolve(JsonNode root) throws OperationFailure {
        JsonNode node = root;
        String at = "the document";
        for (Step s : steps) {
            JsonNode next;
            if (node.isObject()) {
                next = node.get(s.key());
                if (next == null) throw notFound(at + " has no key '" + s.key() + "'" + keys(node));
            } else if (node.isArray()) {
                if (!s.key().matches("0|[1-9]\\d{0,9}")) throw notFound(at + " is an array, so '" + s.key() + "' should be an index");
                long index = Long.parseLong(s.key());
                if (index >= node.size()) {
                    throw notFound(at + " has " + node.size() + (node.size() == 1 ? " element" : " elements") + ", so no index " + index);
                }
                next = node.get((int) index);
            } else {
                throw notFound(at + " is " + kind(node) + ", which has no '" + s.key() + "' inside");
            }
            node = next;
            at = "'" + s.upTo() + "'";
        }
        return node;
    }

    private OperationFailure notFound(String why) {
        return new OperationFailure("path '" + text + "' not found: " + why);
    }

    private static String keys(JsonNode object) {
        List<String> names = new ArrayList<>();
        Iterator<String> it = object.fieldNames();
        while (it.hasNext() && names.size() < 10) names.add(it.next());
        if (names.isEmpty()) return " (it is empty)";
        return " (its keys: " + String.join(", ", names) + (object.size() > names.size() ? ", ..." : "") + ")";
    }

    static String kind(JsonNode node) {
        if (node.isTextual()) return "a string";
        if (node.isNumber()) return "a number";
        if (node.isBoolean()) return "a boolean";
        if (node.isNull()) return "null";
        if (node.isArray()) return "an array";
        if (node.isObject()) return "an object";
        return "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return text;
    }
}
