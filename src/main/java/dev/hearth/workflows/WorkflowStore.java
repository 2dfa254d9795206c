package dev.hearth.workflows;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Jdbi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The workflow tables (V9): workflows and their immutable versions, runs and the state of each node of a run. */
public final class WorkflowStore {

    private final Jdbi jdbi;

    public WorkflowStore(Database db) {
        this.jdbi = db.jdbi();
    }

    Jdbi jdbi() {
        return jdbi;
    }

    /** A workflow's row; {@code publishedVersion} is null until one is published. */
    public record WorkflowRecord(String id, String accountId, String name, boolean isPublic, boolean template,
                                 Integer publishedVersion, int latestVersion, long createdAt, long updatedAt) {
    }

    public enum RunStatus { QUEUED, PROCESSING, COMPLETED, FAILED }

    public record RunRecord(String id, String workflowId, int version, String accountId, String keyId, String nodeName,
                            RunStatus status, String inputs, String outputs, String error, String base, long createdAt,
                            Long startedAt, Long finishedAt) {
    }

    /** One node of a run. {@code outputs} is the stored port values (see {@link NodeValues#store}). */
    public record NodeState(String nodeId, String status, int attempt, String requestId, String outputs, String preview,
                            String error, long cost) {
    }

    // ---- workflows and versions

    void create(String id, String accountId, String name, boolean isPublic, boolean template, String graph, long now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("INSERT INTO workflows (id, account_id, name, is_public, is_template, latest_version, created_at, updated_at) "
                            + "VALUES (:id, :acc, :name, :pub, :tpl, 1, :now, :now)")
                    .bind("id", id).bind("acc", accountId).bind("name", name).bind("pub", isPublic ? 1 : 0).bind("tpl", template ? 1 : 0)
                    .bind("now", now).execute();
            h.createUpdate("INSERT INTO workflow_versions (workflow_id, version, graph, created_at) VALUES (:id, 1, :g, :now)")
                    .bind("id", id).bind("g", graph).bind("now", now).execute();
        });
    }

    /** Saves the next version; returns its number. The primary key keeps two concurrent saves from taking one number. */
    int addVersion(String id, String name, String graph, long now) {
        return jdbi.inTransaction(h -> {
            int next = h.createQuery("SELECT latest_version FROM workflows WHERE id = :id").bind("id", id).mapTo(Integer.class).one() + 1;
            h.createUpdate("INSERT INTO workflow_versions (workflow_id, version, graph, created_at) VALUES (:id, :v, :g, :now)")
                    .bind("id", id).bind("v", next).bind("g", graph).bind("now", now).execute();
            h.createUpdate("UPDATE workflows SET latest_version = :v, name = :name, updated_at = :now WHERE id = :id")
                    .bind("v", next).bind("name", name).bind("now", now).bind("id", id).execute();
            return next;
        });
    }

    void publish(String id, int version, Boolean isPublic, long now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE workflows SET published_version = :v, updated_at = :now WHERE id = :id")
                    .bind("v", version).bind("now", now).bind("id", id).execute();
            if (isPublic != null) h.createUpdate("UPDATE workflows SET is_public = :pub WHERE id = :id").bind("pub", isPublic ? 1 : 0).bind("id", id).execute();
        });
    }

    void setPublic(String id, boolean isPublic, long now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE workflows SET is_public = :pub, updated_at = :now WHERE id = :id")
                .bind("pub", isPublic ? 1 : 0).bind("now", now).bind("id", id).execute());
    }

    void delete(String id, long now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE workflows SET deleted_at = :now WHERE id = :id").bind("now", now).bind("id", id).execute());
    }

    Optional<WorkflowRecord> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM workflows WHERE id = :id AND deleted_at IS NULL")
                .bind("id", id).map((rs, c) -> workflow(rs)).findOne());
    }

    /**
     * The caller's own workflows, then the templates. Other accounts' public workflows are callable and readable
     * by id, but not listed: publishing a workflow shares its URL, it does not advertise it to every account.
     */
    List<WorkflowRecord> listedFor(String accountId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM workflows WHERE deleted_at IS NULL AND (account_id = :acc "
                        + "OR is_template = 1) ORDER BY CASE WHEN account_id = :acc THEN 0 ELSE 1 END, created_at DESC LIMIT 500")
                .bind("acc", accountId).map((rs, c) -> workflow(rs)).list());
    }

    Optional<String> graph(String id, int version) {
        return jdbi.withHandle(h -> h.createQuery("SELECT graph FROM workflow_versions WHERE workflow_id = :id AND version = :v")
                .bind("id", id).bind("v", version).mapTo(String.class).findOne());
    }

    List<Integer> versions(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT version FROM workflow_versions WHERE workflow_id = :id ORDER BY version")
                .bind("id", id).mapTo(Integer.class).list());
    }

    private static WorkflowRecord workflow(ResultSet rs) throws SQLException {
        Long published = nullable(rs, "published_version");
        return new WorkflowRecord(rs.getString("id"), rs.getString("account_id"), rs.getString("name"), rs.getInt("is_public") == 1,
                rs.getInt("is_template") == 1, published == null ? null : published.intValue(), rs.getInt("latest_version"),
                rs.getLong("created_at"), rs.getLong("updated_at"));
    }

    // ---- runs

    void insertRun(RunRecord r) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO workflow_runs (id, workflow_id, version, account_id, key_id, node_name, status, inputs, "
                        + "base, created_at) VALUES (:id, :wf, :v, :acc, :key, :node, 'QUEUED', :inputs, :base, :now)")
                .bind("id", r.id()).bind("wf", r.workflowId()).bind("v", r.version()).bind("acc", r.accountId()).bind("key", r.keyId())
                .bind("node", r.nodeName()).bind("inputs", r.inputs()).bind("base", r.base()).bind("now", r.createdAt()).execute());
    }

    void markProcessing(String runId, long now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE workflow_runs SET status = 'PROCESSING', started_at = COALESCE(started_at, :now) "
                + "WHERE id = :id AND status IN ('QUEUED', 'PROCESSING')").bind("now", now).bind("id", runId).execute());
    }

    void finishRun(String runId, RunStatus status, String outputs, String error, long now) {
        jdbi.useHandle(h -> finishRun(h, runId, status, outputs, error, now));
    }

    /** Ends a run inside a caller's transaction (the one that releases the run's credit hold). */
    void finishRun(org.jdbi.v3.core.Handle h, String runId, RunStatus status, String outputs, String error, long now) {
        h.createUpdate("UPDATE workflow_runs SET status = :s, outputs = :out, error = :err, finished_at = :now "
                        + "WHERE id = :id AND status IN ('QUEUED', 'PROCESSING')")
                .bind("s", status.name()).bind("out", outputs).bind("err", error).bind("now", now).bind("id", runId).execute();
    }

    Optional<RunRecord> findRun(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM workflow_runs WHERE id = :id").bind("id", id).map((rs, c) -> run(rs)).findOne());
    }

    List<RunRecord> unfinishedRuns(String nodeName) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM workflow_runs WHERE node_name = :n AND status IN ('QUEUED', 'PROCESSING') ORDER BY created_at")
                .bind("n", nodeName).map((rs, c) -> run(rs)).list());
    }

    private static RunRecord run(ResultSet rs) throws SQLException {
        return new RunRecord(rs.getString("id"), rs.getString("workflow_id"), rs.getInt("version"), rs.getString("account_id"),
                rs.getString("key_id"), rs.getString("node_name"), RunStatus.valueOf(rs.getString("status")), rs.getString("inputs"),
                rs.getString("outputs"), rs.getString("error"), rs.getString("base"), rs.getLong("created_at"),
                nullable(rs, "started_at"), nullable(rs, "finished_at"));
    }

    private static Long nullable(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    // ---- node states

    void saveNode(String runId, NodeState n, long now) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO workflow_run_nodes (run_id, node_id, status, attempt, request_id, outputs, preview, error, "
                        + "cost, finished_at) VALUES (:run, :node, :s, :attempt, :req, :out, :preview, :err, :cost, :at) "
                        + "ON CONFLICT (run_id, node_id) DO UPDATE SET status = excluded.status, attempt = excluded.attempt, "
                        + "request_id = excluded.request_id, outputs = excluded.outputs, preview = excluded.preview, error = excluded.error, "
                        + "cost = excluded.cost, finished_at = excluded.finished_at")
                .bind("run", runId).bind("node", n.nodeId()).bind("s", n.status()).bind("attempt", n.attempt()).bind("req", n.requestId())
                .bind("out", n.outputs()).bind("preview", n.preview()).bind("err", n.error()).bind("cost", n.cost())
                .bind("at", n.status().equals("running") ? null : (Long) now).execute());
    }

    List<NodeState> nodes(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM workflow_run_nodes WHERE run_id = :run").bind("run", runId)
                .map((rs, c) -> new NodeState(rs.getString("node_id"), rs.getString("status"), rs.getInt("attempt"), rs.getString("request_id"),
                        rs.getString("outputs"), rs.getString("preview"), rs.getString("error"), rs.getLong("cost"))).list());
    }

}
