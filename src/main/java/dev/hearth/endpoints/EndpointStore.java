package dev.hearth.endpoints;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The {@code endpoints} table: the settings of each endpoint, its last seen status and its billing totals. */
final class EndpointStore {

    private static final String COLUMNS = "id, account_id, name, model_name, workers_min, workers_max, idle_timeout, execution_timeout, "
            + "scaler_type, scaler_value, gpu_id, suspended, status, status_detail, billed_millis, billed_amount, created_at, updated_at";

    private final Jdbi jdbi;

    EndpointStore(Database db) {
        this.jdbi = db.jdbi();
    }

    void insert(Endpoint e) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO endpoints (" + COLUMNS + ") VALUES (:id, :accountId, :name, :modelName, :workersMin, "
                        + ":workersMax, :idleTimeout, :executionTimeout, :scalerType, :scalerValue, :gpuId, :susp, :status, :statusDetail, "
                        + ":billedMillis, :billedAmount, :createdAt, :updatedAt)")
                .bindMethods(e).bind("susp", e.suspended() ? 1 : 0).execute());
    }

    /** Writes new settings; the suspension is lifted (an update is how an owner resumes a suspended endpoint). */
    void update(Endpoint e) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE endpoints SET name = :name, model_name = :modelName, workers_min = :workersMin, "
                        + "workers_max = :workersMax, idle_timeout = :idleTimeout, execution_timeout = :executionTimeout, "
                        + "scaler_type = :scalerType, scaler_value = :scalerValue, gpu_id = :gpuId, suspended = 0, updated_at = :updatedAt "
                        + "WHERE id = :id AND deleted_at IS NULL")
                .bindMethods(e).execute());
    }

    void markDeleted(String id, long now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE endpoints SET deleted_at = :now, updated_at = :now, status = 'deleted' WHERE id = :id")
                .bind("id", id).bind("now", now).execute());
    }

    void suspend(String id, String why, long now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE endpoints SET suspended = 1, status = 'suspended', status_detail = :why, updated_at = :now "
                        + "WHERE id = :id AND deleted_at IS NULL")
                .bind("id", id).bind("why", why).bind("now", now).execute());
    }

    void status(String id, String status, String detail) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE endpoints SET status = :s, status_detail = :d WHERE id = :id")
                .bind("id", id).bind("s", status).bind("d", detail).execute());
    }

    /** Adds a billing tick's worker time and charge, inside the ledger's transaction. */
    static void addBilled(Handle h, String id, long millis, long amount) {
        h.createUpdate("UPDATE endpoints SET billed_millis = billed_millis + :ms, billed_amount = billed_amount + :a WHERE id = :id")
                .bind("id", id).bind("ms", millis).bind("a", amount).execute();
    }

    Optional<Endpoint> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM endpoints WHERE id = :id AND deleted_at IS NULL")
                .bind("id", id).map((rs, ctx) -> map(rs)).findOne());
    }

    /** Any endpoint by id, deleted ones included (billing totals after a delete). */
    Optional<Endpoint> findAny(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM endpoints WHERE id = :id")
                .bind("id", id).map((rs, ctx) -> map(rs)).findOne());
    }

    Optional<Endpoint> findByName(String accountId, String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM endpoints WHERE account_id = :acc AND name = :name AND deleted_at IS NULL")
                .bind("acc", accountId).bind("name", name).map((rs, ctx) -> map(rs)).findOne());
    }

    List<Endpoint> ofAccount(String accountId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM endpoints WHERE account_id = :acc AND deleted_at IS NULL ORDER BY created_at")
                .bind("acc", accountId).map((rs, ctx) -> map(rs)).list());
    }

    /** Accounts the operator suspended: their endpoints run no workers (see {@link EndpointPool#accountSuspended}). */
    java.util.Set<String> suspendedAccounts() {
        return jdbi.withHandle(h -> java.util.Set.copyOf(h.createQuery("SELECT id FROM accounts WHERE status = 'suspended'")
                .mapTo(String.class).list()));
    }

    List<Endpoint> live() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM endpoints WHERE deleted_at IS NULL")
                .map((rs, ctx) -> map(rs)).list());
    }

    private static Endpoint map(ResultSet rs) throws SQLException {
        return new Endpoint(rs.getString("id"), rs.getString("account_id"), rs.getString("name"), rs.getString("model_name"),
                rs.getInt("workers_min"), rs.getInt("workers_max"), rs.getInt("idle_timeout"), rs.getInt("execution_timeout"),
                rs.getString("scaler_type"), rs.getInt("scaler_value"), rs.getString("gpu_id"), rs.getInt("suspended") != 0,
                rs.getString("status"), rs.getString("status_detail"), rs.getLong("billed_millis"), rs.getLong("billed_amount"),
                rs.getLong("created_at"), rs.getLong("updated_at"));
    }
}
