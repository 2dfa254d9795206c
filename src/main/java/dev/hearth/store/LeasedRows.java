package dev.hearth.store;

import org.jdbi.v3.core.Jdbi;

import java.util.ArrayList;
import java.util.List;

/**
 * The lease columns of a table of unfinished work (v2 jobs, workflow runs): a row is owned by the node named in
 * {@code ownerColumn} until {@code lease_until}; the owner renews it, and once it lapses any node may claim it.
 * Claims lock their candidates with FOR UPDATE SKIP LOCKED on PostgreSQL, so nodes sweeping at once take different
 * rows instead of queueing on each other (SQLite has one writer at a time); the UPDATE repeats the lapse condition,
 * so a row is only ever claimed by one node.
 */
public final class LeasedRows {

    private static final String UNFINISHED = "status IN ('QUEUED', 'PROCESSING')";

    private final Jdbi jdbi;
    private final boolean postgres;
    private final String table;
    private final String owner;
    private final String order;
    private final long leaseMillis;

    /** {@code table}, {@code ownerColumn} and {@code orderColumn} are code constants, never user input. */
    public LeasedRows(Database db, String table, String ownerColumn, String orderColumn, long leaseMillis) {
        this.jdbi = db.jdbi();
        this.postgres = db.dialect() == Database.Dialect.POSTGRESQL;
        this.table = table;
        this.owner = ownerColumn;
        this.order = orderColumn;
        this.leaseMillis = leaseMillis;
    }

    /** The lease a row gets when it is inserted at {@code now}. */
    public long leaseFrom(long now) {
        return now + leaseMillis;
    }

    /** Extends the node's lease on every unfinished row it owns; returns how many. */
    public int renew(String node, long now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE " + table + " SET lease_until = :until WHERE " + owner + " = :node AND " + UNFINISHED)
                .bind("until", now + leaseMillis).bind("node", node).execute());
    }

    /** Claims up to {@code limit} unfinished rows whose lease lapsed, oldest first; returns their ids. */
    public List<String> claimLapsed(String node, long now, int limit) {
        return jdbi.inTransaction(h -> {
            List<String> ids = h.createQuery("SELECT id FROM " + table + " WHERE " + UNFINISHED + " AND lease_until < :now ORDER BY " + order
                            + " LIMIT :n" + (postgres ? " FOR UPDATE SKIP LOCKED" : ""))
                    .bind("now", now).bind("n", limit).mapTo(String.class).list();
            List<String> taken = new ArrayList<>(ids.size());
            for (String id : ids) {
                int n = h.createUpdate("UPDATE " + table + " SET " + owner + " = :node, lease_until = :until WHERE id = :id AND " + UNFINISHED
                                + " AND lease_until < :now")
                        .bind("node", node).bind("until", now + leaseMillis).bind("id", id).bind("now", now).execute();
                if (n == 1) taken.add(id);
            }
            return taken;
        });
    }

    /**
     * Claims up to {@code limit} rows still QUEUED on other, live nodes since before {@code queuedBefore}: an idle
     * node taking work a busy one has not started. The former owner checks ownership before it starts a row.
     */
    public List<String> claimWaiting(String node, long queuedBefore, long now, int limit) {
        return jdbi.inTransaction(h -> {
            List<String> ids = h.createQuery("SELECT id FROM " + table + " WHERE status = 'QUEUED' AND " + owner + " <> :node AND " + order
                            + " < :before ORDER BY " + order + " LIMIT :n" + (postgres ? " FOR UPDATE SKIP LOCKED" : ""))
                    .bind("node", node).bind("before", queuedBefore).bind("n", limit).mapTo(String.class).list();
            List<String> taken = new ArrayList<>(ids.size());
            for (String id : ids) {
                int n = h.createUpdate("UPDATE " + table + " SET " + owner + " = :node, lease_until = :until WHERE id = :id AND status = 'QUEUED' AND "
                                + owner + " <> :node").bind("node", node).bind("until", now + leaseMillis).bind("id", id).execute();
                if (n == 1) taken.add(id);
            }
            return taken;
        });
    }

    /** Lets go of the node's unfinished rows (a graceful stop), so that another node claims them at once. */
    public int release(String node) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE " + table + " SET lease_until = 0 WHERE " + owner + " = :node AND " + UNFINISHED)
                .bind("node", node).execute());
    }
}
