package dev.hearth.storage;

import dev.hearth.runners.MediaBlob;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.ApiException;
import dev.hearth.net.FetchRefused;
import dev.hearth.net.Fetched;
import dev.hearth.net.GuardedHttp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a model's media inputs before it runs (SPEC §3.1, §8). A schema property marked
 * {@code "x-hearth-media": "image" | "audio" | "video" | "file"} (or an array property whose {@code items} are) may
 * carry a Hearth asset or output URL (read from storage, never over the network), an {@code http(s)} URL (fetched
 * through the address guard), a {@code data:} URL, or raw base64. Each value is decoded, size-capped, sniffed,
 * matched to its field's kind and, for images, decoded once to prove it is whole. Any problem is a 422 naming
 * the field, raised at submit, before anything is held or charged.
 */
public final class MediaInputs {

    public static final String KEYWORD = "x-hearth-media";

    public enum Kind { IMAGE, AUDIO, VIDEO, FILE }

    private static final Pattern STORED_PATH = Pattern.compile("(/assets/|/outputs/)([a-z2-7]{32})(\\.[A-Za-z0-9]{1,8})?");

    private final Storage storage;
    private final GuardedHttp http;

    public MediaInputs(Storage storage, GuardedHttp http) {
        this.storage = storage;
        this.http = http;
    }

    /** The media fields of a schema: top-level property → kind. */
    public static Map<String, Kind> fields(ObjectNode schema) {
        Map<String, Kind> out = new LinkedHashMap<>();
        schema.path("properties").fields().forEachRemaining(p -> {
            Kind k = kindOf(p.getValue());
            if (k == null) k = kindOf(p.getValue().path("items"));
            if (k != null) out.put(p.getKey(), k);
        });
        return out;
    }

    private static Kind kindOf(JsonNode prop) {
        JsonNode mark = prop.path(KEYWORD);
        if (!mark.isTextual()) return null;
        try {
            return Kind.valueOf(mark.asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(KEYWORD + " must be image, audio, video or file, not '" + mark.asText() + "'");
        }
    }

    public ResolvedMedia resolve(ModelSpec model, ObjectNode params, String base) {
        return resolve(model.inputSchema(), params, base);
    }

    /** Call after schema validation: the values are known to be strings or arrays of strings where the schema says so. */
    public ResolvedMedia resolve(ObjectNode schema, ObjectNode params, String base) {
        Map<String, MediaBlob> media = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, Kind> f : fields(schema).entrySet()) {
            JsonNode v = params.get(f.getKey());
            if (v == null || v.isNull()) continue;
            if (v.isTextual()) {
                total += put(media, f.getKey(), "$." + f.getKey(), v.asText(), f.getValue(), base);
            } else if (v.isArray()) {
                for (int i = 0; i < v.size(); i++) {
                    if (!v.get(i).isTextual()) continue;
                    String key = f.getKey() + "[" + i + "]";
                    total += put(media, key, "$." + key, v.get(i).asText(), f.getValue(), base);
                }
            }
            if (total > storage.settings().maxRequestBytes()) {
                throw ApiException.invalid("$." + f.getKey() + ": the media inputs of this call add up to more than "
                        + storage.settings().maxRequestBytes() + " bytes");
            }
        }
        return new ResolvedMedia(params, Map.copyOf(media));
    }

    private long put(Map<String, MediaBlob> media, String key, String path, String value, Kind kind, String base) {
        MediaBlob blob = resolveOne(path, value.trim(), kind, base);
        media.put(key, blob);
        return blob.size();
    }

    MediaBlob resolveOne(String path, String value, Kind kind, String base) {
        long max = storage.settings().maxItemBytes();
        byte[] bytes;
        String declared;
        String source;
        try {
            if (value.isEmpty()) throw new BadMedia("is empty; give a URL, a data: URL or base64");
            if (DataUrls.isDataUrl(value) || !hasScheme(value)) {
                DataUrls.Decoded d = DataUrls.decode(value, max);
                bytes = d.bytes();
                declared = d.declaredType();
                source = DataUrls.isDataUrl(value) ? "data" : "base64";
            } else {
                Optional<StoredRef> ref = storedRef(value, base);
                if (ref.isPresent()) {
                    StoredObject o = storage.find(ref.get().id(), ref.get().kind())
                            .orElseThrow(() -> new BadMedia("is a Hearth file URL, but no such file exists (it was deleted, has expired, or the URL is wrong)"));
                    bytes = storage.read(o);
                    declared = o.contentType();
                    source = o.kind().dbName();
                } else {
                    Fetched f = http.get(value, max);
                    bytes = f.bytes();
                    declared = null;   // a server's Content-Type is a claim; the bytes decide
                    source = "url";
                }
            }
            MediaType type = ContentCheck.inspect(bytes, declared, storage.settings().maxImagePixels());
            checkKind(type, kind);
            return new MediaBlob(bytes, type.type(), source, BlobStore.sha256(bytes));
        } catch (BadMedia e) {
            if (e.tooLarge()) throw new ApiException(413, path + ": " + e.getMessage());
            throw ApiException.invalid(path + ": " + e.getMessage());
        } catch (FetchRefused e) {
            throw ApiException.invalid(path + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("reading a stored file failed", e);
        }
    }

    private static void checkKind(MediaType type, Kind kind) throws BadMedia {
        MediaType.Family fam = type.family();
        boolean ok = switch (kind) {
            case FILE -> true;
            case IMAGE -> fam == MediaType.Family.IMAGE;
            // containers that may hold sound only
            case AUDIO -> fam == MediaType.Family.AUDIO || type.equals(MediaType.MP4) || type.equals(MediaType.WEBM) || type.equals(MediaType.MKV);
            case VIDEO -> fam == MediaType.Family.VIDEO || type.equals(MediaType.M4A) || type.equals(MediaType.OGG);
        };
        if (!ok) {
            throw new BadMedia("must be " + (kind == Kind.IMAGE ? "an image" : kind == Kind.AUDIO ? "audio" : "a video")
                    + ", but its content is " + ContentCheck.describe(type));
        }
    }

    /** A scheme is letters then ':' within the first few characters; base64 never contains ':'. */
    private static boolean hasScheme(String v) {
        int colon = v.indexOf(':');
        return colon > 0 && colon <= 32 && v.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
    }

    record StoredRef(StoredObject.Kind kind, String id) {
    }

    /** An asset or output URL under {@code <base>}: same scheme, host and port, and a stored-file path. */
    static Optional<StoredRef> storedRef(String value, String base) {
        if (base == null || base.isBlank()) return Optional.empty();
        try {
            URI u = new URI(value);
            URI b = new URI(base);
            if (u.getScheme() == null || b.getScheme() == null || !u.getScheme().equalsIgnoreCase(b.getScheme())) return Optional.empty();
            if (u.getHost() == null || b.getHost() == null || !u.getHost().equalsIgnoreCase(b.getHost())) return Optional.empty();
            if (port(u) != port(b)) return Optional.empty();
            String prefix = b.getRawPath() == null ? "" : b.getRawPath().replaceAll("/+$", "");
            String path = u.getRawPath() == null ? "" : u.getRawPath();
            if (!path.startsWith(prefix)) return Optional.empty();
            Matcher m = STORED_PATH.matcher(path.substring(prefix.length()));
            if (!m.matches()) return Optional.empty();
            return Optional.of(new StoredRef(m.group(1).equals("/assets/") ? StoredObject.Kind.ASSET : StoredObject.Kind.OUTPUT, m.group(2)));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) return u.getPort();
        return u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }
}
