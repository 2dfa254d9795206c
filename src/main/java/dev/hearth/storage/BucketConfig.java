package dev.hearth.storage;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;

/**
 * The {@code storage.s3:} section: the S3-compatible bucket that keeps assets, model outputs and workflow results
 * when several gateways must see the same files. With no {@code endpoint} and no {@code bucket} the files stay in
 * {@code data_dir/blobs} as on one machine. {@code prefix} puts every key under a folder of the bucket, so one
 * bucket can serve several installs (and each test run its own).
 */
public record BucketConfig(String endpoint, String bucket, String region, String accessKey, String secretKey,
                           boolean pathStyle, String prefix) {

    public static BucketConfig from(JsonNode s3) {
        BucketConfig c = new BucketConfig(text(s3, "endpoint"), text(s3, "bucket"), text(s3, "region"),
                text(s3, "access_key"), text(s3, "secret_key"), s3.path("path_style").asBoolean(false), text(s3, "prefix"));
        if (!c.configured()) return c;
        if (c.bucket.isEmpty()) throw new IllegalArgumentException("storage.s3.bucket is required when storage.s3 is used");
        if (!c.endpoint.isEmpty()) {
            URI uri;
            try {
                uri = URI.create(c.endpoint);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("storage.s3.endpoint is not a URL: " + c.endpoint);
            }
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                throw new IllegalArgumentException("storage.s3.endpoint must be an http(s) URL, got " + c.endpoint);
            }
        }
        if (c.accessKey.isEmpty() != c.secretKey.isEmpty()) {
            throw new IllegalArgumentException("give both storage.s3.access_key and storage.s3.secret_key, or neither (then the AWS default credentials)");
        }
        if (!c.prefix.isEmpty() && !c.prefix.matches("[A-Za-z0-9._/-]{1,200}")) {
            throw new IllegalArgumentException("storage.s3.prefix may hold letters, digits, '.', '_', '-' and '/' only");
        }
        return c;
    }

    /** Whether files go to a bucket at all. */
    public boolean configured() {
        return !endpoint.isEmpty() || !bucket.isEmpty();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? "" : v.asText().trim();
    }

    @Override
    public String toString() {
        // never print the secret in logs or error messages
        return "BucketConfig[endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region + ", pathStyle=" + pathStyle + ", prefix=" + prefix + "]";
    }
}
