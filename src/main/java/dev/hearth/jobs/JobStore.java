package dev.hearth.jobs;

import dev.hearth.store.Database;
import dev.hearth.store.LeasedRows;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The jobs table: v2 requests from submit until their record expires. Terminal updates take a Handle so that
 * they commit in the same transaction as the ledger change they go with. An unfinished job is leased to the node
 * that runs it ({@code node_id}, {@code lease_until}, see {@link LeasedRows}); {@link JobLeases} renews and takes over.
 */
final class JobStore {

    private static final String UNFINISHED = "status IN ('QUEUED', 'PROCESSING')";

    private final Jdbi jdbi;
    private final LeasedRows leases;

    JobStore(Database db, long leaseMillis) {
        this.jdbi = db.jdbi();
        this.leases = new LeasedRows(db, "jobs", "node_id", "submitted_at", leaseMillis);
    }

    void insert(Job job, String nodeId, String paramsJson, String idempotencyKey, String bodyHash) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO jobs (id, account_id, key_id, model, node_id, status, params, seed, hold_id, "
                        + "hold_amount, idempotency_key, body_hash, webhook_url, base, submitted_at, lease_until) VALUES (:id, :acc, :key, :model, :node, "
                        + "'QUEUED', :params, :seed, :hold, :holdAmount, :idem, :hash, :webhook, :base, :at, :lease)")
                .bind("id", job.id).bind("acc", job.caller.accountId()).bind("key", job.caller.keyId()).bind("model", job.model.slug())
                .bind("node", nodeId).bind("params", paramsJson).bind("seed", job.seed).bind("hold", job.hold.id())
                .bind("holdAmount", job.hold.amount()).bind("idem", idempotencyKey).bind("hash", bodyHash)
                .bind("webhook", job.webhookUrl).bind("base", job.base).bind("at", job.submittedAt)
                .bind("lease", leases.leaseFrom(job.submittedAt)).execute());
    }

    /**
     * Marks a job running here; false when it is no longer this node's (another node took it over while it
     * waited in this node's queue), and then this node must not run it.
     */
    boolean markProcessing(String id, String nodeId, long startedAt, long queueMillis) {
        return jdbi.withHandle(h -> {
            int n = h.createUpdate("UPDATE jobs SET status = 'PROCESSING', started_at = :at, queue_ms = :q WHERE id = :id AND status = 'QUEUED' AND node_id = :node")
                    .bind("at", startedAt).bind("q", queueMillis).bind("id", id).bind("node", nodeId).execute();
            // a job recovered while PROCESSING (its node died mid-run) is already marked
            return n == 1 || h.createQuery("SELECT COUNT(*) FROM jobs WHERE id = :id AND status = 'PROCESSING' AND node_id = :node")
                    .bind("id", id).bind("node", nodeId).mapTo(Integer.class).one() == 1;
        });
    }

    void complete(Handle h, String id, String output, long cost, long remaining, long finishedAt, long queueMillis,
                  long processingMillis, long expiresAt) {
        h.createUpdate("UPDATE jobs SET status = 'COMPLETED', output = :out, cost = :cost, remaining = :rem, finished_at = :at, "
                        + "queue_ms = :q, processing_ms = :p, expires_at = :exp WHERE id = :id AND " + UNFINISHED)
                .bind("out", output).bind("cost", cost).bind("rem", remaining).bind("at", finishedAt).bind("q", queueMillis)
                .bind("p", processingMillis).bind("exp", expiresAt).bind("id", id).execute();
    }

    void end(Handle h, String id, JobStatus status, String error, int errorStatus, long finishedAt, long expiresAt) {
        h.createUpdate("UPDATE jobs SET status = :s, error = :err, error_status = :code, cost = 0, finished_at = :at, expires_at = :exp "
                        + "WHERE id = :id AND status IN ('QUEUED', 'PROCESSING')")
                .bind("s", status.name()).bind("err", error).bind("code", errorStatus).bind("at", finishedAt)
                .bind("exp", expiresAt).bind("id", id).execute();
    }

    Optional<JobRecord> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM jobs WHERE id = :id").bind("id", id).map((rs, c) -> map(rs)).findOne());
    }

    Optional<JobRecord> findByIdempotencyKey(String accountId, String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM jobs WHERE account_id = :acc AND idempotency_key = :k")
                .bind("acc", accountId).bind("k", key).map((rs, c) -> map(rs)).findOne());
    }

    /**
     * Jobs a node of this name left unfinished when it stopped or died, leased to it again. Only a node given the
     * same name again (jobs.node_id set) finds any: a generated name is new at every start.
     */
    List<JobRecord> unfinished(String nodeId, long now) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("UPDATE jobs SET lease_until = :until WHERE node_id = :node AND " + UNFINISHED)
                    .bind("until", leases.leaseFrom(now)).bind("node", nodeId).execute();
            return h.createQuery("SELECT * FROM jobs WHERE node_id = :node AND " + UNFINISHED + " ORDER BY submitted_at")
                    .bind("node", nodeId).map((rs, c) -> map(rs)).list();
        });
    }

    LeasedRows leases() {
        return leases;
    }

    /** Jobs just claimed by this node, to run them. */
    List<JobRecord> load(List<String> ids) {
        List<JobRecord> records = new java.util.ArrayList<>(ids.size());
        for (String id : ids) find(id).ifPresent(records::add);
        return records;
    }

    int deleteExpired(long now) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM jobs WHERE expires_at IS NOT NULL AND expires_at < :now").bind("now", now).execute());
    }

    private static JobRecord map(ResultSet rs) throws SQLException {
        return new JobRecord(rs.getString("id"), rs.getString("account_id"), rs.getString("model"), JobStatus.valueOf(rs.getString("status")),
                rs.getString("output"), rs.getString("error"), integer(rs, "error_status"), longOrNull(rs, "cost"), longOrNull(rs, "remaining"),
                longOrNull(rs, "seed"), rs.getLong("submitted_at"), longOrNull(rs, "started_at"), longOrNull(rs, "finished_at"),
                longOrNull(rs, "queue_ms"), longOrNull(rs, "processing_ms"), longOrNull(rs, "expires_at"), rs.getString("idempotency_key"),
                rs.getString("body_hash"), rs.getString("params"), rs.getString("hold_id"), rs.getLong("hold_amount"),
                rs.getString("key_id"), rs.getString("webhook_url"), rs.getString("base"));
    }

    private static Long longOrNull(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    private static Integer integer(ResultSet rs, String col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }
}
