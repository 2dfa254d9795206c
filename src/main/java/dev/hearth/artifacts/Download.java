package dev.hearth.artifacts;

import dev.hearth.net.Outbound;
import dev.hearth.runners.BootProgress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP for the artifact cache: small texts (registry metadata, checksum sidecars) and streamed downloads that
 * hash as they write and report {@code received / total} at most twice a second. Failures name the URL and the
 * setting that chose it, so an operator knows what to fix.
 */
final class Download {

    private static final long PROGRESS_EVERY_NANOS = 500_000_000L;

    private final Outbound http;
    private final Duration timeout;

    Download(Duration timeout) {
        this.timeout = timeout;
        this.http = Outbound.trusted(Duration.ofSeconds(Math.min(30, Math.max(1, timeout.toSeconds()))), true);
    }

    /** A file fetched to disk with the digests asked for. */
    record Fetched(Path file, long size, Map<String, byte[]> digests) {
    }

    /** The body of a small text resource, or null on 404 (a sidecar that this repository does not publish). */
    String textOrNull(URI uri, String setting) throws IOException {
        Outbound.Answer r = send(uri, setting);
        byte[] body = r.bytes();
        if (r.status() == 404 || r.status() == 410) return null;
        if (r.status() / 100 != 2) throw new IOException("GET " + uri + " answered HTTP " + r.status() + " (" + setting + ")");
        return new String(body, StandardCharsets.UTF_8);
    }

    Fetched toFile(URI uri, Path target, List<String> algorithms, String label, BootProgress progress, String setting) throws IOException {
        try (Outbound.Answer r = send(uri, setting); InputStream in = r.body()) {
            if (r.status() == 404) throw new IOException(label + " was not found at " + uri + " (HTTP 404): check the name and version, and " + setting);
            if (r.status() / 100 != 2) throw new IOException("GET " + uri + " answered HTTP " + r.status() + " (" + setting + ")");
            long total = r.contentLength();
            Map<String, MessageDigest> digests = new LinkedHashMap<>();
            for (String alg : algorithms) digests.put(alg, digest(alg));
            progress.step("downloading " + label + " from " + uri + (total >= 0 ? " (" + size(total) + ")" : ""));
            long received = 0;
            long lastReport = System.nanoTime();
            byte[] buffer = new byte[64 * 1024];
            try (OutputStream out = Files.newOutputStream(target)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    for (MessageDigest d : digests.values()) d.update(buffer, 0, n);
                    received += n;
                    long now = System.nanoTime();
                    if (now - lastReport >= PROGRESS_EVERY_NANOS) {
                        progress.step(label + ": " + progressText(received, total));
                        lastReport = now;
                    }
                }
            }
            if (total >= 0 && received != total) {
                throw new IOException(label + ": the download from " + uri + " ended after " + received + " of " + total + " bytes; try again");
            }
            progress.step(label + ": " + progressText(received, total) + " downloaded");
            Map<String, byte[]> done = new LinkedHashMap<>();
            digests.forEach((alg, d) -> done.put(alg, d.digest()));
            return new Fetched(target, received, done);
        }
    }

    private Outbound.Answer send(URI uri, String setting) throws IOException {
        try {
            return http.get(uri, Map.of("User-Agent", "hearth-artifacts"), timeout);
        } catch (Outbound.Unreachable e) {
            throw new IOException("cannot reach " + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + " to fetch " + uri
                    + " (" + e.getClass().getSimpleName() + "): check the network or " + setting
                    + "; on a machine without access, run `hearth models pull <slug>` elsewhere and copy the artifacts folder", e);
        } catch (Outbound.TimedOut e) {
            throw new IOException("GET " + uri + " timed out after " + timeout.toSeconds() + " s: check the network or " + setting
                    + " (artifacts.timeout_seconds sets the limit)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + uri, e);
        }
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
    }

    static String progressText(long received, long total) {
        if (total <= 0) return size(received);
        return size(received) + " / " + size(total) + String.format(Locale.ROOT, " (%d%%)", received * 100 / total);
    }

    static String size(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
    }
}
