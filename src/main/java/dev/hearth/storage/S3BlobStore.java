package dev.hearth.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Duration;

/**
 * Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, S3Proxy...), so every gateway of a cluster
 * reads what any other wrote. A PUT is atomic in S3 (a reader sees the old object, none, or the whole new one),
 * which is the same promise {@link LocalBlobStore} keeps with a rename. Checksums are sent only where S3 requires
 * them, because several S3-compatible servers reject the SDK's newer default trailing checksums; the SHA-256 the
 * store reports is computed here from the bytes, as on local disk.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public S3BlobStore(BucketConfig config) {
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(60)))
                .region(Region.of(config.region().isEmpty() ? "us-east-1" : config.region()))
                .forcePathStyle(config.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(config.accessKey().isEmpty() ? DefaultCredentialsProvider.builder().build()
                        : StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey())));
        if (!config.endpoint().isEmpty()) b.endpointOverride(URI.create(config.endpoint()));
        this.s3 = b.build();
        this.bucket = config.bucket();
        this.prefix = config.prefix().isEmpty() || config.prefix().endsWith("/") ? config.prefix() : config.prefix() + "/";
        ensureBucket();
    }

    /** Creates the bucket when it is missing, so a first start needs no manual step; fails clearly when unreachable. */
    private void ensureBucket() {
        try {
            s3.headBucket(r -> r.bucket(bucket));
        } catch (NoSuchBucketException e) {
            createBucket();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) createBucket();
            else throw new IllegalStateException("cannot use the bucket " + bucket + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IllegalStateException("cannot reach the object store for bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    private void createBucket() {
        try {
            s3.createBucket(r -> r.bucket(bucket));
        } catch (S3Exception e) {
            // another gateway starting at the same moment may have created it first
            if (e.statusCode() != 409) throw new IllegalStateException("cannot create the bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Written put(String key, byte[] bytes) throws IOException {
        String name = objectName(key);
        try {
            s3.putObject(r -> r.bucket(bucket).key(name).contentLength((long) bytes.length), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw new IOException("writing " + key + " to the bucket failed: " + e.getMessage(), e);
        }
        return new Written(key, bytes.length, BlobStore.sha256(bytes));
    }

    @Override
    public InputStream open(String key) throws IOException {
        String name = objectName(key);
        try {
            return s3.getObject(r -> r.bucket(bucket).key(name));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(key);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) throw new NoSuchFileException(key);
            throw new IOException("reading " + key + " from the bucket failed: " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("reading " + key + " from the bucket failed: " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] read(String key) throws IOException {
        try (InputStream in = open(key)) {
            return in.readAllBytes();
        }
    }

    @Override
    public boolean delete(String key) throws IOException {
        // S3's DELETE answers the same whether or not the object was there, so ask first
        if (!exists(key)) return false;
        String name = objectName(key);
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(name));
            return true;
        } catch (SdkException e) {
            throw new IOException("deleting " + key + " from the bucket failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists(String key) {
        String name = objectName(key);
        try {
            s3.headObject(r -> r.bucket(bucket).key(name));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return false;
            throw e;
        }
    }

    /** Keys are checked as on disk, so a bucket holds only names Hearth made. */
    private String objectName(String key) {
        LocalBlobStore.checkKey(key);
        return prefix + key;
    }

    @Override
    public void close() {
        s3.close();
    }
}
