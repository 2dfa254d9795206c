package dev.hearth.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;

import java.time.Instant;

/**
 * One stored file: an upload ({@code asset}) or a model output ({@code output}, with an expiry). Its URL is
 * {@code <base>/assets/<id>.<ext>} or {@code <base>/outputs/<id>.<ext>}; the id alone is the capability.
 */
public record StoredObject(String id, String accountId, Kind kind, String contentType, long size, String sha256,
                           long createdAt, Long expiresAt) {

    public enum Kind {
        ASSET("asset", "/assets/"), OUTPUT("output", "/outputs/");

        private final String dbName;
        private final String pathPrefix;

        Kind(String dbName, String pathPrefix) {
            this.dbName = dbName;
            this.pathPrefix = pathPrefix;
        }

        public String dbName() {
            return dbName;
        }

        public String pathPrefix() {
            return pathPrefix;
        }

        static Kind fromDb(String s) {
            return s.equals("output") ? OUTPUT : ASSET;
        }
    }

    public MediaType mediaType() {
        return MediaType.byType(contentType);
    }

    /** The path under {@code <base>}, with the extension of the sniffed type when it has one. */
    public String path() {
        String ext = mediaType().ext();
        return kind.pathPrefix + id + (ext.isEmpty() ? "" : "." + ext);
    }

    public String url(String base) {
        return base + path();
    }

    public ObjectNode toJson(String base) {
        ObjectNode n = Json.object().put("id", id).put("url", url(base)).put("kind", kind.dbName).put("content_type", contentType)
                .put("size", size).put("sha256", sha256).put("created_at", Instant.ofEpochMilli(createdAt).toString());
        n.put("expires_at", expiresAt == null ? null : Instant.ofEpochMilli(expiresAt).toString());
        return n;
    }
}
