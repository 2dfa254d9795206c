package dev.hearth.storage;

import dev.hearth.TestBucket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bucket store against a real S3 server on loopback (S3Proxy over a folder): the bucket is created on first
 * use, bytes round-trip with their SHA-256, a missing key reads as a missing file like on disk, objects live under
 * the configured prefix, and keys Hearth could not have made are refused before any request.
 */
class S3BlobStoreTest {

    @TempDir
    static Path dir;
    static TestBucket bucket;

    @BeforeAll
    static void start() throws Exception {
        bucket = new TestBucket(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        bucket.close();
    }

    static S3BlobStore store(String name, String prefix) {
        return new S3BlobStore(BucketConfig.from(dev.hearth.http.Json.MAPPER.valueToTree(Map.of("endpoint", bucket.endpoint(),
                "bucket", name, "access_key", TestBucket.ACCESS_KEY, "secret_key", TestBucket.SECRET_KEY, "path_style", "true", "prefix", prefix))));
    }

    @Test
    void bytesRoundTripWithTheirChecksumAndDeleteSaysWhetherThereWasOne() throws Exception {
        try (S3BlobStore s = store("roundtrip", "")) {
            byte[] bytes = "hello, bucket".getBytes(StandardCharsets.UTF_8);
            BlobStore.Written w = s.put("abcdefgh12345678", bytes);
            assertThat(w.size()).isEqualTo(bytes.length);
            assertThat(w.sha256()).isEqualTo(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)));
            assertThat(s.exists("abcdefgh12345678")).isTrue();
            assertThat(s.read("abcdefgh12345678")).isEqualTo(bytes);
            try (var in = s.open("abcdefgh12345678")) {
                assertThat(in.readAllBytes()).isEqualTo(bytes);
            }
            // the object is really in the server's folder, not in some client-side cache
            assertThat(Files.readAllBytes(bucket.folder("roundtrip").resolve("abcdefgh12345678"))).isEqualTo(bytes);

            byte[] replaced = new byte[300_000];
            new java.util.Random(7).nextBytes(replaced);
            s.put("abcdefgh12345678", replaced);
            assertThat(s.read("abcdefgh12345678")).isEqualTo(replaced);

            assertThat(s.delete("abcdefgh12345678")).isTrue();
            assertThat(s.delete("abcdefgh12345678")).isFalse();
            assertThat(s.exists("abcdefgh12345678")).isFalse();
        }
    }

    @Test
    void aMissingKeyIsAMissingFile() {
        try (S3BlobStore s = store("missing", "")) {
            assertThatThrownBy(() -> s.open("nothinghere00000")).isInstanceOf(NoSuchFileException.class);
            assertThatThrownBy(() -> s.read("nothinghere00000")).isInstanceOf(NoSuchFileException.class);
        }
    }

    @Test
    void objectsLiveUnderThePrefixSoInstallsCanShareABucket() throws Exception {
        try (S3BlobStore one = store("shared", "install-one"); S3BlobStore two = store("shared", "install-two/")) {
            one.put("samekey000000000", new byte[]{1});
            two.put("samekey000000000", new byte[]{2});
            assertThat(one.read("samekey000000000")).containsExactly(1);
            assertThat(two.read("samekey000000000")).containsExactly(2);
            assertThat(Files.exists(bucket.folder("shared").resolve("install-one").resolve("samekey000000000"))).isTrue();
        }
    }

    @Test
    void keysHearthCouldNotHaveMadeAreRefused() {
        try (S3BlobStore s = store("keys", "")) {
            assertThatThrownBy(() -> s.put("../../etc/passwd", new byte[1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.open("a/b")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void wrongCredentialsFailAtStartWithTheBucketNamed() {
        var cfg = BucketConfig.from(dev.hearth.http.Json.MAPPER.valueToTree(Map.of("endpoint", bucket.endpoint(), "bucket", "creds",
                "access_key", TestBucket.ACCESS_KEY, "secret_key", "not-the-secret", "path_style", "true")));
        assertThatThrownBy(() -> new S3BlobStore(cfg)).isInstanceOf(IllegalStateException.class).hasMessageContaining("creds");
    }

    @Test
    void settingsAreCheckedAndUnsetMeansLocalFiles(@TempDir Path data) {
        assertThat(BlobStore.from(BucketConfig.from(dev.hearth.http.Json.object()), data)).isInstanceOf(LocalBlobStore.class);
        assertThatThrownBy(() -> BucketConfig.from(dev.hearth.http.Json.MAPPER.valueToTree(Map.of("endpoint", "http://127.0.0.1:9"))))
                .hasMessageContaining("storage.s3.bucket");
        assertThatThrownBy(() -> BucketConfig.from(dev.hearth.http.Json.MAPPER.valueToTree(Map.of("bucket", "b", "endpoint", "ftp://x"))))
                .hasMessageContaining("http(s)");
        assertThatThrownBy(() -> BucketConfig.from(dev.hearth.http.Json.MAPPER.valueToTree(Map.of("bucket", "b", "access_key", "k"))))
                .hasMessageContaining("secret_key");
        var c = BucketConfig.from(dev.hearth.http.Json.MAPPER.valueToTree(Map.of("bucket", "b", "access_key", "k", "secret_key", "hush")));
        assertThat(c.toString()).doesNotContain("hush");
    }
}
