package dev.hearth.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code multipart/form-data} body (RFC 7578), parsed from bytes already read within the body limit. Text
 * fields become strings; file parts (a filename, or a Content-Type that is not text or JSON) become {@code data:}
 * URLs, so a form reaches the schema check and the media resolver exactly like the same call in JSON (SPEC §3.1).
 * A malformed body is 400.
 */
public final class MultipartForm {

    /** One part: its field name, the file name if any, its declared type, and its bytes. */
    public record Part(String name, String filename, String contentType, byte[] bytes) {
        /** A file: it has a file name, or a type that is not text (a JSON or text field without a name is a field). */
        public boolean isFile() {
            if (filename != null) return true;
            if (contentType == null) return false;
            String t = contentType.toLowerCase(Locale.ROOT).trim();
            return !t.startsWith("text/") && !t.startsWith("application/json");
        }

        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** The part as a data: URL, with its declared type (application/octet-stream when it gave none). */
        public String dataUrl() {
            String type = contentType == null || contentType.isBlank() ? "application/octet-stream" : contentType.trim();
            int semi = type.indexOf(';');
            if (semi >= 0) type = type.substring(0, semi).trim();
            return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(bytes);
        }
    }

    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary=(?:\"([^\"]{1,70})\"|([^;\\s]{1,70}))");
    private static final Pattern PARAM = Pattern.compile("(?i);\\s*(name|filename)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^;\\s]*))");

    private final List<Part> parts;

    private MultipartForm(List<Part> parts) {
        this.parts = parts;
    }

    public List<Part> parts() {
        return parts;
    }

    public static boolean isMultipart(String contentType) {
        return contentType != null && contentType.trim().toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    }

    public static MultipartForm parse(String contentType, byte[] body) {
        Matcher m = BOUNDARY.matcher(contentType == null ? "" : contentType);
        if (!m.find()) throw ApiException.badRequest("The multipart/form-data body has no boundary in its Content-Type");
        String boundary = m.group(1) != null ? m.group(1) : m.group(2);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] separator = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);

        int at = indexOf(body, delimiter, 0);
        if (at < 0) throw invalid("it does not contain its boundary");
        List<Part> parts = new ArrayList<>();
        int pos = at + delimiter.length;
        while (true) {
            if (startsWith(body, pos, "--")) break;                   // closing delimiter
            pos = skipLineEnd(body, pos);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), pos);
            if (headersEnd < 0) throw invalid("a part has no blank line after its headers");
            String headers = new String(body, pos, headersEnd - pos, StandardCharsets.UTF_8);
            int contentStart = headersEnd + 4;
            int next = indexOf(body, separator, contentStart);
            if (next < 0) throw invalid("a part is not closed by the boundary (the body may be truncated)");
            byte[] content = java.util.Arrays.copyOfRange(body, contentStart, next);
            parts.add(part(headers, content));
            pos = next + separator.length;
        }
        return new MultipartForm(parts);
    }

    private static Part part(String headers, byte[] content) {
        String disposition = null, type = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (name.equals("content-disposition")) disposition = value;
            else if (name.equals("content-type")) type = value;
        }
        if (disposition == null || !disposition.toLowerCase(Locale.ROOT).startsWith("form-data")) {
            throw invalid("a part has no Content-Disposition: form-data header");
        }
        String fieldName = null, filename = null;
        Matcher p = PARAM.matcher(disposition);
        while (p.find()) {
            String v = p.group(2) != null ? p.group(2).replaceAll("\\\\(.)", "$1") : p.group(3);
            if (p.group(1).equalsIgnoreCase("name")) fieldName = v;
            else filename = v;
        }
        if (fieldName == null || fieldName.isEmpty()) throw invalid("a part has no field name");
        return new Part(fieldName, filename, type, content);
    }

    /**
     * The form as the JSON object a model receives: each field once as a string, a repeated field (or one named
     * {@code name[]}) as an array; file parts as data: URLs. Types are left to {@link FormFields#coerce}.
     */
    public ObjectNode toObjectNode() {
        ObjectNode out = Json.object();
        for (Part part : parts) {
            boolean forceArray = part.name().endsWith("[]");
            String name = forceArray ? part.name().substring(0, part.name().length() - 2) : part.name();
            TextNode value = TextNode.valueOf(part.isFile() ? part.dataUrl() : part.text());
            JsonNode existing = out.get(name);
            if (existing == null) {
                if (forceArray) out.putArray(name).add(value);
                else out.set(name, value);
            } else if (existing instanceof ArrayNode arr) {
                arr.add(value);
            } else {
                ArrayNode arr = Json.MAPPER.createArrayNode().add(existing).add(value);
                out.set(name, arr);
            }
        }
        return out;
    }

    private static ApiException invalid(String why) {
        return ApiException.badRequest("The request body is not valid multipart/form-data: " + why);
    }

    private static int skipLineEnd(byte[] b, int pos) {
        int p = pos;
        while (p < b.length && (b[p] == ' ' || b[p] == '\t')) p++;   // transport padding
        if (p + 1 < b.length && b[p] == '\r' && b[p + 1] == '\n') return p + 2;
        throw invalid("a boundary is not followed by a line break");
    }

    private static boolean startsWith(byte[] b, int pos, String s) {
        if (pos + s.length() > b.length) return false;
        for (int i = 0; i < s.length(); i++) if (b[pos + i] != s.charAt(i)) return false;
        return true;
    }

    /** Boyer–Moore–Horspool: linear in practice even on hostile bodies, unlike a naive scan. */
    static int indexOf(byte[] hay, byte[] needle, int from) {
        int n = needle.length;
        if (n == 0) return from;
        int[] shift = new int[256];
        java.util.Arrays.fill(shift, n);
        for (int i = 0; i < n - 1; i++) shift[needle[i] & 0xFF] = n - 1 - i;
        int i = from;
        while (i <= hay.length - n) {
            int j = n - 1;
            while (j >= 0 && hay[i + j] == needle[j]) j--;
            if (j < 0) return i;
            i += shift[hay[i + n - 1] & 0xFF];
        }
        return -1;
    }
}
