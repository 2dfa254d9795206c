package dev.hearth.billing;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;

/**
 * SQLite's write-ahead log checkpointed off the ledger's commit path. By default the connection whose commit
 * takes the log past 1,000 pages copies the log into the database file and syncs both files, inside that
 * commit: for the ledger that is the commit leader, with every follower waiting on it. Two syncs cost several
 * milliseconds on an ordinary disk, so about one batch in 150 took ten times as long as the others: the p99 of a
 * charged call. Here the leader's connection checkpoints only as a backstop (a log of {@link #BACKSTOP_PAGES}),
 * and a thread of its own runs a passive checkpoint every {@link #EVERY_MILLIS}. A passive checkpoint neither
 * blocks nor waits for writers and readers, so commits go on while it syncs.
 * <p>
 * Durability is unchanged: a commit is in the log (written, and with {@code synchronous=FULL} synced) before it
 * returns, whoever copies it to the database file later; a kill -9 before the checkpoint loses nothing, as
 * SQLite replays the log when it opens the file.
 */
final class WalCheckpoints implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WalCheckpoints.class);
    static final long EVERY_MILLIS = 100;
    /** The leader checkpoints itself only when the thread has fallen this far behind (about 40 MB of log). */
    static final int BACKSTOP_PAGES = 10_000;

    private final Jdbi jdbi;
    private final Thread thread;
    private volatile boolean closed;

    WalCheckpoints(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.thread = Thread.ofPlatform().daemon().name("hearth-ledger-checkpoints").start(this::run);
    }

    /** Raises the leader connection's own checkpoint threshold to the backstop: this thread checkpoints instead. */
    void adopt(Handle leader) {
        leader.execute("PRAGMA wal_autocheckpoint = " + BACKSTOP_PAGES);
    }

    /** Gives a leader connection going back to the pool SQLite's default threshold again, for the other writers. */
    static void release(Handle leader) {
        try {
            leader.execute("PRAGMA wal_autocheckpoint = 1000");
        } catch (RuntimeException e) {
            // a broken connection: the pool drops it
        }
    }

    static boolean isSqlite(Handle h) {
        try {
            return "SQLite".equals(h.getConnection().getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            return false;
        }
    }

    private void run() {
        while (!closed) {
            try {
                Thread.sleep(EVERY_MILLIS);
                jdbi.useHandle(h -> h.createQuery("PRAGMA wal_checkpoint(PASSIVE)").mapToMap().list());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the leader's backstop threshold still bounds the log; the next tick tries again
                log.warn("checkpointing the SQLite log failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
