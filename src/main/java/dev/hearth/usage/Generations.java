package dev.hearth.usage;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import java.util.List;

/**
 * An account's model calls as Segmind's SDK lists them ("generations"), read from the usage records: one per
 * call that was admitted and ended, newest first. Calls refused before they were admitted (rate limit, bad
 * input, no credits) never had a record and are not generations.
 */
public final class Generations {

    /** Generations per page of {@code GET /inference-request/generations}. */
    public static final int PAGE_SIZE = 20;
    /** Generations in {@code GET /inference-request/recent-generations}. */
    public static final int RECENT = 10;

    private final Jdbi jdbi;

    public Generations(Database db) {
        this.jdbi = db.jdbi();
    }

    /** Which generations: always one account's; optionally one model, and a UTC day range (epoch days, both included). */
    public record Filter(String accountId, String model, Long fromDay, Long toDay) {

        String where() {
            return "WHERE account_id = :acc" + (model != null ? " AND model = :model" : "")
                    + (fromDay != null ? " AND submitted_at >= :from" : "") + (toDay != null ? " AND submitted_at < :to" : "");
        }

        Query bind(Query q) {
            q.bind("acc", accountId);
            if (model != null) q.bind("model", model);
            if (fromDay != null) q.bind("from", fromDay * UsageDays.MILLIS_PER_DAY);
            if (toDay != null) q.bind("to", (toDay + 1) * UsageDays.MILLIS_PER_DAY);
            return q;
        }
    }

    public long count(Filter f) {
        return jdbi.withHandle(h -> f.bind(h.createQuery("SELECT COUNT(*) FROM usage_records " + f.where())).mapTo(Long.class).one());
    }

    /** {@code limit} generations after skipping {@code offset}, newest first (ties broken by request id, so pages never overlap). */
    public List<UsageRecord> page(Filter f, int offset, int limit) {
        return jdbi.withHandle(h -> f.bind(h.createQuery("SELECT request_id, account_id, key_id, model, endpoint, workflow_run_id, submitted_at, "
                                + "started_at, finished_at, queue_ms, processing_ms, status_code, cost, seed, error, output_url FROM usage_records "
                                + f.where() + " ORDER BY submitted_at DESC, request_id DESC LIMIT :limit OFFSET :offset"))
                .bind("limit", limit).bind("offset", offset)
                .map((rs, c) -> {
                    long started = rs.getLong("started_at");
                    Long startedAt = rs.wasNull() ? null : started;
                    long seed = rs.getLong("seed");
                    Long seedOrNull = rs.wasNull() ? null : seed;
                    return new UsageRecord(rs.getString("request_id"), rs.getString("account_id"), rs.getString("key_id"),
                            rs.getString("model"), rs.getString("endpoint"), rs.getString("workflow_run_id"), rs.getLong("submitted_at"),
                            startedAt, rs.getLong("finished_at"), rs.getLong("queue_ms"), rs.getLong("processing_ms"),
                            rs.getInt("status_code"), rs.getLong("cost"), null, seedOrNull, rs.getString("error"),
                            rs.getString("output_url"), null, null);
                }).list());
    }
}
