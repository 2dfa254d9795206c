package dev.hearth.storage;

import dev.hearth.accounts.Accounts;
import dev.hearth.billing.Ledger;
import dev.hearth.config.ConfigLoader;
import dev.hearth.config.HearthConfig;
import dev.hearth.store.Database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** A real Storage on SQLite in a temp folder, with a clock the test moves, and accounts to own files. */
final class StorageFixture implements AutoCloseable {

    /** A clock that stands still until the test moves it. */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(java.time.Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final Path dir;
    final Database db;
    final Accounts accounts;
    final MovableClock clock = new MovableClock();
    final Storage storage;
    final LocalBlobStore blobs;

    StorageFixture(Map<String, String> overrides) {
        try {
            dir = Files.createTempDirectory("hearth-storage");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> o = new HashMap<>(overrides);
        o.put("data_dir", dir.toString());
        HearthConfig config = ConfigLoader.load(null, Map.of(), o);
        db = Database.open(config);
        accounts = new Accounts(db, new Ledger(db, clock), clock);
        blobs = new LocalBlobStore(dir.resolve("blobs"));
        storage = new Storage(db, blobs, StorageSettings.from(config.section("storage")), clock);
    }

    String account(String name) {
        return accounts.create(name, "free", 0).accountId();
    }

    @Override
    public void close() {
        db.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp folder
        }
    }
}
