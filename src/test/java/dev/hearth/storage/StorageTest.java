package dev.hearth.storage;

import dev.hearth.http.ApiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Uploads, limits, ownership, blobs on disk, and the output sweeper with a clock the test moves. */
class StorageTest {

    final StorageFixture f = new StorageFixture(Map.of("storage.output_retention", "10m",
            "storage.max_item_bytes", "200000", "storage.max_request_bytes", "300000", "storage.max_account_bytes", "400000"));

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void uploadsAreCheckedStoredAtomicallyWithTheirHashAndOwned() throws Exception {
        String owner = f.account("owner");
        byte[] png = TestImages.png(32, 32);
        StoredObject o = f.storage.upload(owner, List.of(new Storage.Upload("$.data_urls[0]", png, "image/png"))).getFirst();
        assertThat(o.id()).matches("[a-z2-7]{32}");
        assertThat(o.contentType()).isEqualTo("image/png");
        assertThat(o.path()).isEqualTo("/assets/" + o.id() + ".png");
        assertThat(o.sha256()).isEqualTo(BlobStore.sha256(png));
        assertThat(Files.readAllBytes(f.blobs.path(o.id()))).isEqualTo(png);
        try (var s = Files.list(f.blobs.path(o.id()).getParent())) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith(".incoming"))).isEmpty();
        }
        assertThat(f.storage.find(o.id(), StoredObject.Kind.ASSET)).isPresent();
        assertThat(f.storage.find(o.id(), StoredObject.Kind.OUTPUT)).isEmpty();

        String other = f.account("other");
        assertThat(f.storage.list(other, null, 10, 0)).isEmpty();
        assertThat(f.storage.delete(other, o.id())).isFalse();
        assertThat(f.storage.list(owner, StoredObject.Kind.ASSET, 10, 0)).extracting(StoredObject::id).containsExactly(o.id());
        assertThat(f.storage.delete(owner, o.id())).isTrue();
        assertThat(f.blobs.exists(o.id())).isFalse();
        assertThat(f.storage.find(o.id(), StoredObject.Kind.ASSET)).isEmpty();
    }

    @Test
    void limitsPerItemPerRequestAndPerAccountAre413AndStoreNothing() {
        String owner = f.account("owner");
        byte[] big = new byte[150_000];   // unknown binary: passes content checks, only sizes matter here
        big[0] = 1;
        assertThatThrownBy(() -> f.storage.upload(owner, List.of(new Storage.Upload("$.data_urls[0]", new byte[200_001], ""))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413))
                .hasMessageContaining("$.data_urls[0]").hasMessageContaining("per item");
        assertThatThrownBy(() -> f.storage.upload(owner, List.of(new Storage.Upload("$.data_urls[0]", big, ""),
                new Storage.Upload("$.data_urls[1]", big, ""), new Storage.Upload("$.data_urls[2]", big, ""))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413))
                .hasMessageContaining("per upload request");
        f.storage.upload(owner, List.of(new Storage.Upload("$.data_urls[0]", big, ""), new Storage.Upload("$.data_urls[1]", big, "")));
        assertThat(f.storage.uploadedBytes(owner)).isEqualTo(300_000);
        assertThatThrownBy(() -> f.storage.upload(owner, List.of(new Storage.Upload("$.data_urls[0]", big, ""))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413))
                .hasMessageContaining("over your limit of 400000 bytes");
        assertThat(f.storage.uploadedBytes(owner)).isEqualTo(300_000);
        // another account has its own quota
        assertThat(f.storage.upload(f.account("b"), List.of(new Storage.Upload("$.data_urls[0]", big, "")))).hasSize(1);
    }

    @Test
    void oneBadItemStoresNoneOfTheRequest() throws Exception {
        String owner = f.account("owner");
        assertThatThrownBy(() -> f.storage.upload(owner, List.of(new Storage.Upload("$.data_urls[0]", TestImages.png(8, 8), "image/png"),
                new Storage.Upload("$.data_urls[1]", TestImages.truncated(TestImages.png(64, 64)), "image/png"))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(422))
                .hasMessageStartingWith("$.data_urls[1]: is a damaged or truncated PNG");
        assertThat(f.storage.list(owner, null, 10, 0)).isEmpty();
        try (var s = Files.walk(f.dir.resolve("blobs"))) {
            assertThat(s.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void theSweeperDeletesExpiredOutputsAndTheirBytes() {
        String owner = f.account("owner");
        StoredObject out = f.storage.saveOutput(owner, TestImages.png(16, 16), "image/png");
        StoredObject kept = f.storage.saveOutput(owner, "{\"a\":1}".getBytes(), "application/json");
        assertThat(out.path()).startsWith("/outputs/").endsWith(".png");
        assertThat(out.expiresAt() - out.createdAt()).isEqualTo(Duration.ofMinutes(10).toMillis());
        assertThat(kept.contentType()).isEqualTo("application/json");
        assertThat(f.storage.sweepExpired()).isZero();

        f.clock.advance(Duration.ofMinutes(5));
        StoredObject later = f.storage.saveOutput(owner, TestImages.png(8, 8), "image/png");
        f.clock.advance(Duration.ofMinutes(5));
        // expired outputs are gone for readers at once, swept or not
        assertThat(f.storage.find(out.id(), StoredObject.Kind.OUTPUT)).isEmpty();
        assertThat(f.blobs.exists(out.id())).isTrue();
        assertThat(f.storage.sweepExpired()).isEqualTo(2);
        assertThat(f.blobs.exists(out.id())).isFalse();
        assertThat(f.blobs.exists(kept.id())).isFalse();
        assertThat(f.storage.find(later.id(), StoredObject.Kind.OUTPUT)).isPresent();
        assertThat(f.storage.list(owner, StoredObject.Kind.OUTPUT, 10, 0)).extracting(StoredObject::id).containsExactly(later.id());
        // outputs do not count against the upload quota
        assertThat(f.storage.uploadedBytes(owner)).isZero();
    }
}
