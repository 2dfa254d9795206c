package dev.hearth.usage;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import java.util.List;

/**
 * Reads usage from the daily aggregates only: a report costs one indexed range read of (account, day) rows,
 * whatever the number of raw records behind it. The caller waits for pending records first (see
 * {@link UsageRecorder#awaitWritten}), so the numbers include calls that finished a moment ago.
 */
public final class UsageReports {

    /** One (day, model) cell of a report. */
    public record Row(long day, String model, long inferences, long failed, long amount) {
    }

    /** One account's totals over a range, for the operator's view across accounts. */
    public record AccountTotal(String accountId, long inferences, long failed, long amount) {
    }

    private final Jdbi jdbi;

    public UsageReports(Database db) {
        this.jdbi = db.jdbi();
    }

    /** Rows by day and model in [fromDay, toDay]; {@code accountId} null sums all accounts, {@code model} null keeps all. */
    public List<Row> rows(String accountId, long fromDay, long toDay, String model) {
        String sql = "SELECT day, model, SUM(inferences), SUM(failed), SUM(amount) FROM usage_daily WHERE day BETWEEN :from AND :to"
                + (accountId == null ? "" : " AND account_id = :acc")
                + (model == null ? "" : " AND model = :model")
                + " GROUP BY day, model ORDER BY day, model";
        return jdbi.withHandle(h -> bindOptional(h.createQuery(sql).bind("from", fromDay).bind("to", toDay), accountId, model)
                .map((rs, ctx) -> new Row(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
                .list());
    }

    /** Billed inferences on one day ({@code day} set) or over all kept days ({@code day} null). */
    public long inferences(String accountId, Long day) {
        String sql = "SELECT COALESCE(SUM(inferences), 0) FROM usage_daily WHERE 1 = 1"
                + (accountId == null ? "" : " AND account_id = :acc")
                + (day == null ? "" : " AND day = :day");
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql);
            if (accountId != null) q.bind("acc", accountId);
            if (day != null) q.bind("day", day);
            return q.mapTo(Long.class).one();
        });
    }

    /** The accounts with usage in [fromDay, toDay], most spent first (the operator's view). */
    public List<AccountTotal> accounts(long fromDay, long toDay, String model, int limit) {
        String sql = "SELECT account_id, SUM(inferences) AS inf, SUM(failed), SUM(amount) AS amt FROM usage_daily WHERE day BETWEEN :from AND :to"
                + (model == null ? "" : " AND model = :model")
                + " GROUP BY account_id ORDER BY amt DESC, inf DESC, account_id LIMIT :limit";
        return jdbi.withHandle(h -> bindOptional(h.createQuery(sql).bind("from", fromDay).bind("to", toDay).bind("limit", limit), null, model)
                .map((rs, ctx) -> new AccountTotal(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                .list());
    }

    private static Query bindOptional(Query q, String accountId, String model) {
        if (accountId != null) q.bind("acc", accountId);
        if (model != null) q.bind("model", model);
        return q;
    }
}
