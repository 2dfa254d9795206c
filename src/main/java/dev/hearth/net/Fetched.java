package dev.hearth.net;

import java.net.URI;

/** A body fetched through {@link GuardedHttp}: the bytes, the Content-Type the server declared (or null), and where it came from after redirects. */
public record Fetched(byte[] bytes, String declaredType, URI finalUrl) {
}
