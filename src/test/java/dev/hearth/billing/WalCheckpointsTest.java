package dev.hearth.billing;

import dev.hearth.config.ConfigLoader;
import dev.hearth.store.Database;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SQLite's log checkpointed off the commit leader's path ({@link WalCheckpoints}): the leader's connection only
 * checkpoints at the backstop size, and a connection handed back to the pool has SQLite's default again.
 */
class WalCheckpointsTest {

    private static int autocheckpoint(Handle h) {
        return h.createQuery("PRAGMA wal_autocheckpoint").mapTo(Integer.class).one();
    }

    @Test
    void theLeadersConnectionLeavesCheckpointsToTheThreadAndGetsTheDefaultBack() throws Exception {
        Map<String, String> o = Map.of("data_dir", Files.createTempDirectory("hearth-wal").toString());
        try (Database db = Database.open(ConfigLoader.load(null, Map.of(), o))) {
            LedgerCommits commits = LedgerCommits.of("authority", db.jdbi());
            int leading = commits.run(WalCheckpointsTest::autocheckpoint);
            assertThat(leading).isEqualTo(WalCheckpoints.BACKSTOP_PAGES);
            try (Handle h = db.jdbi().open()) {
                // any other connection keeps SQLite's own threshold
                assertThat(autocheckpoint(h)).isEqualTo(1000);
                WalCheckpoints checkpoints = new WalCheckpoints(db.jdbi());
                checkpoints.adopt(h);
                assertThat(autocheckpoint(h)).isEqualTo(WalCheckpoints.BACKSTOP_PAGES);
                WalCheckpoints.release(h);
                assertThat(autocheckpoint(h)).isEqualTo(1000);
                checkpoints.close();
            }
            commits.close();
        }
    }
}
