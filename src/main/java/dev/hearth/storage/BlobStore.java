package dev.hearth.storage;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where the bytes of assets and outputs live, by key. The metadata (owner, type, expiry) lives in the
 * {@code assets} table; a blob store only keeps bytes, writes them atomically (a reader never sees half a
 * blob) and reports their SHA-256. {@link LocalBlobStore} keeps a folder (one machine);
 * {@link S3BlobStore} a bucket that every gateway of a cluster shares ({@code storage.s3}).
 */
public interface BlobStore {

    /** What was written: the key, its size and the hex SHA-256 of the content. */
    record Written(String key, long size, String sha256) {
    }

    Written put(String key, byte[] bytes) throws IOException;

    /** The content; {@link java.nio.file.NoSuchFileException} when the key holds nothing. */
    InputStream open(String key) throws IOException;

    byte[] read(String key) throws IOException;

    /** Deletes the blob; false when there was none. */
    boolean delete(String key) throws IOException;

    boolean exists(String key);

    /** The hex SHA-256 every store reports for what it wrote. */
    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bucket when {@code storage.s3} names one, else {@code dataDir/blobs}. */
    static BlobStore from(BucketConfig bucket, java.nio.file.Path dataDir) {
        return bucket.configured() ? new S3BlobStore(bucket) : new LocalBlobStore(dataDir.resolve("blobs"));
    }
}
