package dev.hearth.storage;

import dev.hearth.http.Json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Tells what bytes are from their content, never from a name or a declared type: binary signatures first
 * (images, audio, video, PDF, archives), then text, which is further told apart into HTML, SVG, XML and JSON
 * because those must never be rendered from Hearth's origin. Whatever is neither is {@link MediaType#UNKNOWN}.
 */
public final class ContentSniffer {

    private static final int TEXT_PROBE = 64 * 1024;

    private ContentSniffer() {
    }

    public static MediaType sniff(byte[] b) {
        if (b.length == 0) return MediaType.UNKNOWN;
        if (starts(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) return MediaType.PNG;
        if (starts(b, 0, 0xFF, 0xD8, 0xFF)) return MediaType.JPEG;
        if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) return MediaType.GIF;
        if (ascii(b, 0, "RIFF") && b.length >= 12) {
            if (ascii(b, 8, "WEBP")) return MediaType.WEBP;
            if (ascii(b, 8, "WAVE")) return MediaType.WAV;
            if (ascii(b, 8, "AVI ")) return MediaType.AVI;
        }
        if (starts(b, 0, 'I', 'I', 0x2A, 0x00) || starts(b, 0, 'M', 'M', 0x00, 0x2A)) return MediaType.TIFF;
        if (isBmp(b)) return MediaType.BMP;
        if (b.length >= 12 && ascii(b, 4, "ftyp")) return isoBrand(new String(b, 8, 4, StandardCharsets.ISO_8859_1));
        if (starts(b, 0, 0x1A, 0x45, 0xDF, 0xA3)) return contains(b, "webm", 64) ? MediaType.WEBM : MediaType.MKV;
        if (ascii(b, 0, "OggS")) return MediaType.OGG;
        if (ascii(b, 0, "fLaC")) return MediaType.FLAC;
        if (ascii(b, 0, "ID3")) return MediaType.MP3;
        if (b.length >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xF6) == 0xF0) return MediaType.AAC;   // ADTS, layer 0
        if (b.length >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xE0) == 0xE0 && (b[1] & 0x06) != 0) return MediaType.MP3;  // MPEG audio frame sync
        if (ascii(b, 0, "%PDF-")) return MediaType.PDF;
        if (starts(b, 0, 'P', 'K', 0x03, 0x04) || starts(b, 0, 'P', 'K', 0x05, 0x06)) return MediaType.ZIP;
        if (starts(b, 0, 0x1F, 0x8B)) return MediaType.GZIP;
        return text(b);
    }

    /**
     * Whether {@code declared} (from a data: URL or a form part) agrees with what the bytes are. An absent or
     * generic declaration agrees with anything; a text declaration agrees with any text; declaring one of the
     * binary types Hearth recognises for bytes that are something else does not.
     */
    public static boolean agrees(String declared, MediaType sniffed) {
        String d = MediaType.normalize(declared);
        if (d.isEmpty() || d.equals(MediaType.UNKNOWN.type()) || d.equals("binary/octet-stream")) return true;
        if (sniffed.answersTo(d)) return true;
        boolean declaredText = d.startsWith("text/") || d.endsWith("+xml") || d.endsWith("+json") || d.equals("application/json")
                || d.equals("application/xml") || d.equals("application/javascript") || d.equals("application/x-yaml");
        if (sniffed.family() == MediaType.Family.TEXT) return declaredText;
        if (sniffed.equals(MediaType.UNKNOWN)) {
            for (MediaType known : MediaType.BINARY) if (known.answersTo(d)) return false;
            return true;
        }
        return false;
    }

    private static MediaType isoBrand(String brand) {
        return switch (brand) {
            case "avif", "avis" -> MediaType.AVIF;
            case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1" -> MediaType.HEIC;
            case "M4A ", "M4B ", "M4P " -> MediaType.M4A;
            case "qt  " -> MediaType.MOV;
            default -> MediaType.MP4;
        };
    }

    private static boolean isBmp(byte[] b) {
        if (b.length < 26 || b[0] != 'B' || b[1] != 'M') return false;
        int dibHeader = (b[14] & 0xFF) | (b[15] & 0xFF) << 8 | (b[16] & 0xFF) << 16 | (b[17] & 0xFF) << 24;
        return dibHeader == 12 || dibHeader == 40 || dibHeader == 52 || dibHeader == 56 || dibHeader == 64
                || dibHeader == 108 || dibHeader == 124;
    }

    /** Valid UTF-8 without NUL or other control bytes (in the first 64 KB) is text; then which kind of text. */
    private static MediaType text(byte[] b) {
        int n = Math.min(b.length, TEXT_PROBE);
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xFF;
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B) return MediaType.UNKNOWN;
        }
        String head;
        try {
            head = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, 0, utf8Boundary(b, n))).toString();
        } catch (CharacterCodingException e) {
            return MediaType.UNKNOWN;
        }
        String h = head.stripLeading();
        if (h.startsWith("\uFEFF")) h = h.substring(1).stripLeading();
        String lower = h.substring(0, Math.min(h.length(), 4096)).toLowerCase(Locale.ROOT);
        if (lower.startsWith("<svg") || (lower.startsWith("<") && lower.contains("<svg"))) return MediaType.SVG;
        if (lower.startsWith("<!doctype html") || lower.startsWith("<html") || lower.startsWith("<head") || lower.startsWith("<body")
                || lower.startsWith("<script") || lower.startsWith("<iframe") || lower.startsWith("<!--")
                || (lower.startsWith("<") && (lower.contains("<html") || lower.contains("<script") || lower.contains("<body")))) {
            return MediaType.HTML;
        }
        if (lower.startsWith("<?xml") || lower.startsWith("<")) return MediaType.XML;
        if ((h.startsWith("{") || h.startsWith("[")) && b.length == n && isJson(b)) return MediaType.JSON;
        return MediaType.TEXT;
    }

    /** Cut a probe so it does not end in the middle of a multi-byte UTF-8 character. */
    private static int utf8Boundary(byte[] b, int n) {
        if (n == b.length) return n;
        int i = n;
        while (i > 0 && i > n - 4 && (b[i] & 0xC0) == 0x80) i--;
        return i;
    }

    private static boolean isJson(byte[] b) {
        try {
            Json.MAPPER.readTree(b);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean starts(byte[] b, int off, int... sig) {
        if (b.length < off + sig.length) return false;
        for (int i = 0; i < sig.length; i++) if ((b[off + i] & 0xFF) != sig[i]) return false;
        return true;
    }

    private static boolean ascii(byte[] b, int off, String s) {
        if (b.length < off + s.length()) return false;
        for (int i = 0; i < s.length(); i++) if (b[off + i] != (byte) s.charAt(i)) return false;
        return true;
    }

    private static boolean contains(byte[] b, String s, int within) {
        byte[] needle = s.getBytes(StandardCharsets.ISO_8859_1);
        int end = Math.min(b.length, within) - needle.length;
        outer:
        for (int i = 0; i <= end; i++) {
            for (int j = 0; j < needle.length; j++) if (b[i + j] != needle[j]) continue outer;
            return true;
        }
        return false;
    }
}
