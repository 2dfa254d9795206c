package dev.hearth.storage;

import dev.hearth.http.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Segmind-style storage (SPEC §8): uploads checked and kept per account within a quota, model outputs kept for
 * the retention period, both reachable by an unguessable id. Bytes go to the {@link BlobStore} first and the row
 * second, so a row never points at missing bytes; a file is deleted row first, bytes second.
 */
public final class Storage {

    private static final Logger log = LoggerFactory.getLogger(Storage.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private final Assets assets;
    private final BlobStore blobs;
    private final StorageSettings settings;
    private final Clock clock;

    public Storage(dev.hearth.store.Database db, BlobStore blobs, StorageSettings settings, Clock clock) {
        this.assets = new Assets(db);
        this.blobs = blobs;
        this.settings = settings;
        this.clock = clock;
    }

    public StorageSettings settings() {
        return settings;
    }

    /** One file to upload: the JSON path that names it in errors, its bytes, and the type the client declared. */
    public record Upload(String path, byte[] bytes, String declaredType) {
    }

    /**
     * Checks every item (413 for size, 422 for content, each naming its item), then stores them all or none. The
     * account's quota is checked again inside the transaction that records them, so concurrent uploads cannot
     * overshoot it together.
     */
    public List<StoredObject> upload(String accountId, List<Upload> items) {
        if (items.isEmpty()) throw ApiException.invalid("$.data_urls: give at least one file");
        long total = 0;
        List<MediaType> types = new ArrayList<>(items.size());
        for (Upload u : items) {
            if (u.bytes().length > settings.maxItemBytes()) {
                throw tooLarge(u.path() + ": is " + u.bytes().length + " bytes, over the limit of " + settings.maxItemBytes() + " bytes per item");
            }
            total += u.bytes().length;
            if (total > settings.maxRequestBytes()) {
                throw tooLarge("The files add up to more than the limit of " + settings.maxRequestBytes() + " bytes per upload request"
                        + " (reached at " + u.path() + "); send them in several requests");
            }
        }
        for (Upload u : items) {
            try {
                types.add(ContentCheck.inspect(u.bytes(), u.declaredType(), settings.maxImagePixels()));
            } catch (BadMedia e) {
                throw e.tooLarge() ? tooLarge(u.path() + ": " + e.getMessage()) : ApiException.invalid(u.path() + ": " + e.getMessage());
            }
        }
        checkQuota(accountId, assets.uploadedBytes(accountId), total);

        long now = clock.millis();
        List<StoredObject> stored = new ArrayList<>(items.size());
        try {
            for (int i = 0; i < items.size(); i++) {
                BlobStore.Written w = blobs.put(newId(), items.get(i).bytes());
                stored.add(new StoredObject(w.key(), accountId, StoredObject.Kind.ASSET, types.get(i).type(), w.size(), w.sha256(), now, null));
            }
            long sum = total;
            assets.db().jdbi().useTransaction(h -> {
                assets.lockAccount(h, accountId);
                checkQuota(accountId, assets.uploadedBytes(h, accountId), sum);
                for (StoredObject o : stored) assets.insert(h, o);
            });
            return stored;
        } catch (IOException e) {
            forget(stored);
            throw new UncheckedIOException("writing an upload failed", e);
        } catch (RuntimeException e) {
            forget(stored);
            throw e;
        }
    }

    private void checkQuota(String accountId, long used, long adding) {
        if (used + adding > settings.maxAccountBytes()) {
            throw tooLarge("This upload of " + adding + " bytes would bring your stored files to " + (used + adding)
                    + " bytes, over your limit of " + settings.maxAccountBytes() + " bytes; delete files with DELETE /v1/assets/{id} and try again");
        }
    }

    /**
     * Keeps a model output for the configured retention ({@code storage.output_retention}, 7 days by default) and
     * returns it; its URL is {@code obj.url(base)}. The stored type is sniffed from the bytes when recognisable,
     * else the runner's.
     */
    public StoredObject saveOutput(String accountId, byte[] bytes, String contentType) {
        MediaType sniffed = ContentSniffer.sniff(bytes);
        String type = sniffed.equals(MediaType.UNKNOWN) ? MediaType.normalize(contentType) : sniffed.type();
        if (type.isEmpty()) type = MediaType.UNKNOWN.type();
        long now = clock.millis();
        try {
            BlobStore.Written w = blobs.put(newId(), bytes);
            StoredObject o = new StoredObject(w.key(), accountId, StoredObject.Kind.OUTPUT, type, w.size(), w.sha256(), now,
                    now + settings.outputRetention().toMillis());
            try {
                assets.db().jdbi().useHandle(h -> assets.insert(h, o));
            } catch (RuntimeException e) {
                blobs.delete(w.key());
                throw e;
            }
            return o;
        } catch (IOException e) {
            throw new UncheckedIOException("writing a model output failed", e);
        }
    }

    /** A live file by id and kind: empty when unknown, of the other kind, or expired (even if not yet swept). */
    public Optional<StoredObject> find(String id, StoredObject.Kind kind) {
        if (id == null || !id.matches("[a-z2-7]{32}")) return Optional.empty();
        return assets.find(id).filter(o -> o.kind() == kind && (o.expiresAt() == null || o.expiresAt() > clock.millis()));
    }

    public InputStream open(StoredObject o) throws IOException {
        return blobs.open(o.id());
    }

    public byte[] read(StoredObject o) throws IOException {
        return blobs.read(o.id());
    }

    public List<StoredObject> list(String accountId, StoredObject.Kind kind, int limit, int offset) {
        return assets.list(accountId, kind, limit, offset);
    }

    public long uploadedBytes(String accountId) {
        return assets.uploadedBytes(accountId);
    }

    /** Deletes a file the account owns (an upload or one of its outputs); false when it owns no such file. */
    public boolean delete(String accountId, String id) {
        if (!assets.delete(id, accountId)) return false;
        forgetBlob(id);
        return true;
    }

    /** Deletes every output past its expiry and frees its bytes; returns how many went. */
    public int sweepExpired() {
        int swept = 0;
        for (List<String> batch; !(batch = assets.expired(clock.millis(), 500)).isEmpty(); ) {
            for (String id : batch) {
                if (assets.delete(id)) {
                    forgetBlob(id);
                    swept++;
                }
            }
            if (batch.size() < 500) break;
        }
        if (swept > 0) log.info("deleted {} expired model outputs", swept);
        return swept;
    }

    public boolean blobExists(String id) {
        return blobs.exists(id);
    }

    private void forget(List<StoredObject> written) {
        for (StoredObject o : written) forgetBlob(o.id());
    }

    private void forgetBlob(String id) {
        try {
            blobs.delete(id);
        } catch (IOException e) {
            log.warn("could not delete the bytes of {} (left on disk): {}", id, e.toString());
        }
    }

    private static ApiException tooLarge(String message) {
        return new ApiException(413, message);
    }

    /** 32 base32 characters: 160 random bits, lower case so file names never collide on case-insensitive disks. */
    static String newId() {
        byte[] b = new byte[20];
        RANDOM.nextBytes(b);
        StringBuilder sb = new StringBuilder(32);
        int buffer = 0, bits = 0;
        for (byte x : b) {
            buffer = (buffer << 8) | (x & 0xFF);
            bits += 8;
            while (bits >= 5) {
                sb.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return sb.toString();
    }
}
