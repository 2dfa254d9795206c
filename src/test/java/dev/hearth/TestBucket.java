package dev.hearth;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * A real S3-compatible server on loopback for the bucket tests: S3Proxy (an S3 HTTP front with AWS signature
 * checks) over jclouds' filesystem store in a folder the test owns. Gateways in this JVM or in child processes
 * reach it at {@link #endpoint()} like any S3 endpoint, with {@link #ACCESS_KEY} and {@link #SECRET_KEY}.
 */
public final class TestBucket implements AutoCloseable {

    public static final String ACCESS_KEY = "hearth-test-access";
    public static final String SECRET_KEY = "hearth-test-secret-0123456789";

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final Path dir;

    public TestBucket(Path dir) throws Exception {
        this.dir = dir;
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        this.context = ContextBuilder.newBuilder("filesystem").credentials("unused", "unused").overrides(props).build(BlobStoreContext.class);
        this.proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            Thread.sleep(10);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** The folder under which the filesystem backend keeps the objects of {@code bucket}. */
    public Path folder(String bucket) {
        return dir.resolve(bucket);
    }

    /** The {@code storage.s3} settings as configuration overrides, for a gateway in this JVM. */
    public Map<String, String> overrides(String bucket, String prefix) {
        return Map.of("storage.s3.endpoint", endpoint(), "storage.s3.bucket", bucket, "storage.s3.access_key", ACCESS_KEY,
                "storage.s3.secret_key", SECRET_KEY, "storage.s3.path_style", "true", "storage.s3.prefix", prefix);
    }

    /** The same settings as environment variables, for a {@code hearth serve} child process. */
    public Map<String, String> env(String bucket, String prefix) {
        return Map.of("HEARTH_STORAGE_S3_ENDPOINT", endpoint(), "HEARTH_STORAGE_S3_BUCKET", bucket,
                "HEARTH_STORAGE_S3_ACCESS_KEY", ACCESS_KEY, "HEARTH_STORAGE_S3_SECRET_KEY", SECRET_KEY,
                "HEARTH_STORAGE_S3_PATH_STYLE", "true", "HEARTH_STORAGE_S3_PREFIX", prefix);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
