package dev.hearth.limits;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.http.ApiException;
import dev.hearth.store.Database;
import org.jdbi.v3.core.Jdbi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;

/**
 * Where an account's limits come from: its plan (the accounts table) and its overrides (account_limits),
 * read in one query. Shared by the gateway, the admin HTTP API and the CLI, so all three see the same numbers.
 */
public final class LimitSettings {

    private final Jdbi jdbi;
    private final Plans plans;
    private final Clock clock;

    public LimitSettings(Database db, Plans plans, Clock clock) {
        this.jdbi = db.jdbi();
        this.plans = plans;
        this.clock = clock;
    }

    public Plans plans() {
        return plans;
    }

    /** The account's effective limits; 404 for an unknown account, 409 when its plan is no longer configured. */
    public AccountLimits load(String accountId) {
        Row row = jdbi.withHandle(h -> h.createQuery("SELECT a.plan, l.requests_per_minute, l.read_requests_per_minute, l.concurrent_jobs "
                        + "FROM accounts a LEFT JOIN account_limits l ON l.account_id = a.id WHERE a.id = :id")
                .bind("id", accountId).map((rs, ctx) -> row(rs)).findOne().orElse(null));
        if (row == null) throw ApiException.notFound("Account " + accountId + " not found");
        Plan plan = plans.find(row.plan);
        if (plan == null) {
            throw ApiException.conflict("Account " + accountId + " is on plan '" + row.plan + "', which this Hearth no longer configures"
                    + " (configured: " + String.join(", ", plans.names()) + "). The operator must add it under plans: or move the account"
                    + " with PUT /admin/accounts/" + accountId + "/plan");
        }
        return AccountLimits.of(accountId, plan, row.overrides);
    }

    /** Replaces the account's overrides (an empty set removes them); returns the limits now in force. */
    public AccountLimits setOverrides(String accountId, LimitOverrides o) {
        load(accountId); // 404 / 409 before writing anything
        jdbi.useHandle(h -> {
            if (o.isEmpty()) {
                h.createUpdate("DELETE FROM account_limits WHERE account_id = :id").bind("id", accountId).execute();
                return;
            }
            h.createUpdate("INSERT INTO account_limits (account_id, requests_per_minute, read_requests_per_minute, concurrent_jobs, updated_at) "
                            + "VALUES (:id, :rpm, :reads, :jobs, :now) ON CONFLICT (account_id) DO UPDATE SET "
                            + "requests_per_minute = excluded.requests_per_minute, read_requests_per_minute = excluded.read_requests_per_minute, "
                            + "concurrent_jobs = excluded.concurrent_jobs, updated_at = excluded.updated_at")
                    .bind("id", accountId).bind("rpm", o.requestsPerMinute()).bind("reads", o.readRequestsPerMinute())
                    .bind("jobs", o.concurrentJobs()).bind("now", clock.millis()).execute();
        });
        return load(accountId);
    }

    /** {@code PUT /admin/accounts/{id}/limits}: the body replaces every override; null or absent fields follow the plan. */
    public AccountLimits put(String accountId, JsonNode body) {
        return setOverrides(accountId, LimitOverrides.fromJson(body));
    }

    private record Row(String plan, LimitOverrides overrides) {
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getString("plan"), new LimitOverrides(nullableLong(rs, "requests_per_minute"),
                nullableLong(rs, "read_requests_per_minute"), nullableInt(rs, "concurrent_jobs")));
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }
}
