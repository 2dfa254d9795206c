package dev.hearth.metrics;

import dev.hearth.billing.Money;
import dev.hearth.store.Database;
import io.micrometer.core.instrument.Tags;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * Money totals for the metrics page, read from the store at scrape time and cached for a few seconds: balances
 * summed over accounts (paid, free, held) and ledger amounts summed by entry kind (grant, charge, correction).
 * The ledger is append-only, so the sums are kept incrementally: rows older than a few minutes are folded
 * into running totals once, and each scrape reads only the recent tail, never the whole ledger.
 */
public final class LedgerTotals {

    private static final long CACHE_MILLIS = 5_000;
    /** Ledger rows older than this are committed for sure (no transaction lives this long) and can be folded. */
    private static final long SETTLED_MILLIS = 5 * 60_000;

    private final Jdbi jdbi;
    private final Clock clock;
    private final Map<String, Long> folded = new HashMap<>();
    private long foldedUpTo;
    private Snapshot cached;
    private long cachedAt;

    public record Snapshot(long paid, long free, long held, Map<String, Long> accountsByStatus, Map<String, Long> ledgerByKind) {
    }

    public LedgerTotals(Database db, Clock clock) {
        this.jdbi = db.jdbi();
        this.clock = clock;
    }

    public synchronized Snapshot snapshot() {
        long now = clock.millis();
        if (cached != null && now - cachedAt < CACHE_MILLIS) return cached;
        cached = read(now);
        cachedAt = now;
        return cached;
    }

    private Snapshot read(long now) {
        return jdbi.withHandle(h -> {
            long[] balances = h.createQuery("SELECT COALESCE(SUM(paid_balance), 0), COALESCE(SUM(free_balance), 0), COALESCE(SUM(held), 0) FROM accounts")
                    .map((rs, ctx) -> new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3)}).one();
            Map<String, Long> statuses = new HashMap<>();
            h.createQuery("SELECT status, COUNT(*) FROM accounts GROUP BY status")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> statuses.put(e.getKey(), e.getValue()));
            Long settledUpTo = h.createQuery("SELECT MAX(id) FROM ledger_entries WHERE id > :from AND created_at < :settled")
                    .bind("from", foldedUpTo).bind("settled", now - SETTLED_MILLIS).mapTo(Long.class).findOne().orElse(null);
            if (settledUpTo != null) {
                h.createQuery("SELECT kind, SUM(amount) FROM ledger_entries WHERE id > :from AND id <= :to GROUP BY kind")
                        .bind("from", foldedUpTo).bind("to", settledUpTo)
                        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> folded.merge(e.getKey(), e.getValue(), Long::sum));
                foldedUpTo = settledUpTo;
            }
            Map<String, Long> byKind = new HashMap<>(folded);
            h.createQuery("SELECT kind, SUM(amount) FROM ledger_entries WHERE id > :from GROUP BY kind").bind("from", foldedUpTo)
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> byKind.merge(e.getKey(), e.getValue(), Long::sum));
            return new Snapshot(balances[0], balances[1], balances[2], statuses, byKind);
        });
    }

    /** Registers the gauges: {@code hearth_ledger_balance_usd{kind}}, {@code hearth_ledger_amount_usd{kind}}, {@code hearth_accounts{status}}. */
    public void register(HearthMetrics metrics) {
        metrics.gauge("hearth.ledger.balance.usd", "Sum of account balances (paid, free) and of open holds (held), USD",
                Tags.of("kind", "paid"), this, t -> usd(t.snapshot().paid()));
        metrics.gauge("hearth.ledger.balance.usd", "Sum of account balances (paid, free) and of open holds (held), USD",
                Tags.of("kind", "free"), this, t -> usd(t.snapshot().free()));
        metrics.gauge("hearth.ledger.balance.usd", "Sum of account balances (paid, free) and of open holds (held), USD",
                Tags.of("kind", "held"), this, t -> usd(t.snapshot().held()));
        for (String kind : new String[]{"grant", "charge", "correction"}) {
            metrics.gauge("hearth.ledger.amount.usd", "Sum of ledger entry amounts by kind, USD (charges are negative)",
                    Tags.of("kind", kind), this, t -> usd(t.snapshot().ledgerByKind().getOrDefault(kind, 0L)));
        }
        for (String status : new String[]{"active", "suspended"}) {
            metrics.gauge("hearth.accounts", "Accounts by status", Tags.of("status", status), this,
                    t -> t.snapshot().accountsByStatus().getOrDefault(status, 0L));
        }
    }

    private static double usd(long nanos) {
        return Money.toUsd(nanos).doubleValue();
    }
}
