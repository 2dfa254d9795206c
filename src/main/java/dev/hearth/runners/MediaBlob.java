package dev.hearth.runners;

import java.util.Base64;

/**
 * One media input, resolved and checked before the model runs: its bytes, the type sniffed from them, and where
 * it came from ({@code data}, {@code base64}, {@code asset}, {@code output}, {@code url}) for logs.
 */
public record MediaBlob(byte[] bytes, String contentType, String source, String sha256) {

    public long size() {
        return bytes.length;
    }

    /** The bytes as a data: URL, for runners that pass media on to a remote worker. */
    public String dataUrl() {
        return "data:" + contentType + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    /** What stands in for the media in logs and stored parameters: never the bytes (SPEC §7). */
    public String describe() {
        return "<" + contentType + ", " + bytes.length + " bytes, sha256:" + sha256.substring(0, 16) + " from " + source + ">";
    }
}
