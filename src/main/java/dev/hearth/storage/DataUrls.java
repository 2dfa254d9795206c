package dev.hearth.storage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Decodes the two inline forms of media: {@code data:<type>[;params][;base64],<payload>} (RFC 2397) and raw
 * base64 (standard or URL-safe alphabet, padding optional, whitespace ignored). Decoding is strict: a character
 * outside the alphabet is an error, never silently skipped.
 */
public final class DataUrls {

    /** Decoded bytes and the type the data: URL declared ("" for raw base64 or a data: URL without one). */
    public record Decoded(byte[] bytes, String declaredType) {
    }

    private DataUrls() {
    }

    public static boolean isDataUrl(String s) {
        return s.regionMatches(true, 0, "data:", 0, 5);
    }

    public static Decoded decode(String value, long maxBytes) throws BadMedia {
        if (isDataUrl(value)) {
            int comma = value.indexOf(',');
            if (comma < 0) throw new BadMedia("is a data: URL without the ',' that starts its content");
            String[] meta = value.substring(5, comma).split(";");
            String type = meta.length == 0 ? "" : meta[0].trim().toLowerCase(Locale.ROOT);
            boolean base64 = false;
            for (int i = 1; i < meta.length; i++) if (meta[i].trim().equalsIgnoreCase("base64")) base64 = true;
            String payload = value.substring(comma + 1);
            if (!base64) {
                byte[] bytes = percentDecode(payload);
                return new Decoded(checkSize(bytes.length, maxBytes, bytes), type);
            }
            return new Decoded(base64(payload, maxBytes), type);
        }
        return new Decoded(base64(value, maxBytes), "");
    }

    static byte[] base64(String text, long maxBytes) throws BadMedia {
        String s = stripWhitespace(text);
        if (s.isEmpty()) throw new BadMedia("is empty");
        long estimate = (long) s.length() / 4 * 3;
        if (estimate > maxBytes + 3) throw new BadMedia("decodes to about " + estimate + " bytes, over the limit of " + maxBytes + " bytes per item", true);
        boolean urlSafe = s.indexOf('-') >= 0 || s.indexOf('_') >= 0;
        try {
            byte[] bytes = (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
            return checkSize(bytes.length, maxBytes, bytes);
        } catch (IllegalArgumentException e) {
            throw new BadMedia("is not valid base64 (" + e.getMessage() + ")");
        }
    }

    private static byte[] checkSize(long size, long max, byte[] bytes) throws BadMedia {
        if (size > max) throw new BadMedia("is " + size + " bytes, over the limit of " + max + " bytes per item", true);
        if (size == 0) throw new BadMedia("is empty");
        return bytes;
    }

    /** RFC 3986 percent-decoding to bytes ('+' stays '+'); a broken escape is an error. */
    private static byte[] percentDecode(String s) throws BadMedia {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] != '%') {
                out.write(raw[i]);
                continue;
            }
            int hi = i + 2 < raw.length ? Character.digit(raw[i + 1], 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(raw[i + 2], 16);
            if (lo < 0) throw new BadMedia("is a data: URL with a broken %-escape at character " + (i + 1));
            out.write(hi << 4 | lo);
            i += 2;
        }
        return out.toByteArray();
    }

    private static String stripWhitespace(String s) {
        int i = 0;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i))) i++;
        if (i == s.length()) return s;
        StringBuilder sb = new StringBuilder(s.length());
        for (int j = 0; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') sb.append(c);
        }
        return sb.toString();
    }
}
