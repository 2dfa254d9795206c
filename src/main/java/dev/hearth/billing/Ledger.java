package dev.hearth.billing;

import dev.hearth.http.ApiException;
import dev.hearth.store.Database;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * All money moves here, and only here. Two phases for model calls: {@link #hold} reserves the worst-case
 * price (refused when paid + free − held is below it), then {@link #post} charges the actual cost (free
 * credits first) and releases the rest, or {@link #release} gives it all back. Grants and corrections are
 * idempotent by reference. Every change of a balance inserts a ledger row in the same transaction, and the
 * schema's CHECK constraints make a negative balance impossible even if this code were wrong.
 */
public final class Ledger {

    public enum CreditKind { PAID, FREE }

    private final Jdbi jdbi;
    private final Clock clock;
    /** PostgreSQL needs row locks for read-then-write; SQLite's IMMEDIATE transactions already serialise writers. */
    private final String lockRow;

    public Ledger(Database db, Clock clock) {
        this.jdbi = db.jdbi();
        this.clock = clock;
        this.lockRow = db.dialect() == Database.Dialect.POSTGRESQL ? " FOR UPDATE" : "";
    }

    public Balance balance(String accountId) {
        return jdbi.withHandle(h -> balance(h, accountId, ""));
    }

    private Balance balance(Handle h, String accountId, String lock) {
        return h.createQuery("SELECT paid_balance, free_balance, held FROM accounts WHERE id = :id" + lock)
                .bind("id", accountId)
                .map((rs, ctx) -> new Balance(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
                .findOne().orElseThrow(() -> ApiException.notFound("Account " + accountId + " not found"));
    }

    /**
     * Reserves {@code amount} for a request. The conditional UPDATE is the whole check: two concurrent holds
     * can never both pass on the same credits.
     */
    public CreditHold hold(String accountId, String requestId, long amount, long ttlMillis) throws InsufficientCredits {
        long now = clock.millis();
        String holdId = UUID.randomUUID().toString();
        Optional<CreditHold> held = jdbi.inTransaction(h -> {
            int n = h.createUpdate("UPDATE accounts SET held = held + :a WHERE id = :id AND paid_balance + free_balance - held >= :a")
                    .bind("a", amount).bind("id", accountId).execute();
            if (n == 0) return Optional.empty();
            h.createUpdate("INSERT INTO credit_holds (id, account_id, request_id, amount, state, created_at, expires_at) "
                            + "VALUES (:id, :acc, :req, :a, 'OPEN', :now, :exp)")
                    .bind("id", holdId).bind("acc", accountId).bind("req", requestId).bind("a", amount)
                    .bind("now", now).bind("exp", now + ttlMillis).execute();
            return Optional.of(new CreditHold(holdId, accountId, requestId, amount));
        });
        if (held.isPresent()) return held.get();
        throw new InsufficientCredits(balance(accountId).available(), amount);
    }

    /**
     * Charges the actual cost (capped at the hold: the hold is the most a caller agreed to pay) and releases
     * the hold. Idempotent: posting a hold that is no longer open charges nothing and returns the balance.
     */
    public Settlement post(CreditHold hold, long actualCost, String description) {
        return post(hold, actualCost, description, (h, s) -> { });
    }

    /**
     * Posts like {@link #post(CreditHold, long, String)} and runs {@code alsoInTransaction} in the same
     * transaction, so what records the outcome (a job's COMPLETED row) commits with the charge or not at all:
     * a crash can never leave a charged job that looks unfinished, or the reverse.
     */
    public Settlement post(CreditHold hold, long actualCost, String description, InTransaction<Settlement> alsoInTransaction) {
        long cost = Math.max(0, Math.min(actualCost, hold.amount()));
        return jdbi.inTransaction(h -> {
            Settlement s = postIn(h, hold, cost, description);
            alsoInTransaction.run(h, s);
            return s;
        });
    }

    /** Work that must commit or roll back together with a ledger change. */
    @FunctionalInterface
    public interface InTransaction<T> {
        void run(Handle handle, T result);
    }

    private Settlement postIn(Handle h, CreditHold hold, long cost, String description) {
        if (!closeHold(h, hold, "POSTED")) return new Settlement(0, balance(h, hold.accountId(), ""));
        Balance b = balance(h, hold.accountId(), lockRow);
        long fromFree = Math.min(b.free(), cost);
        long fromPaid = cost - fromFree;
        h.createUpdate("UPDATE accounts SET free_balance = free_balance - :f, paid_balance = paid_balance - :p, held = held - :hold WHERE id = :id")
                .bind("f", fromFree).bind("p", fromPaid).bind("hold", hold.amount()).bind("id", hold.accountId()).execute();
        Balance after = new Balance(b.paid() - fromPaid, b.free() - fromFree, b.held() - hold.amount());
        if (cost > 0) {
            insertEntry(h, hold.accountId(), "charge", hold.requestId(), null, -cost,
                    fromPaid == 0 ? "free" : fromFree == 0 ? "paid" : "mixed", -fromFree, -fromPaid, after, description);
        }
        return new Settlement(cost, after);
    }

    /** Gives the whole hold back (the call failed or was refused after the hold). Idempotent. */
    public void release(CreditHold hold) {
        release(hold, (h, released) -> { });
    }

    /** Releases like {@link #release(CreditHold)}, with the caller's outcome record in the same transaction. */
    public void release(CreditHold hold, InTransaction<Boolean> alsoInTransaction) {
        jdbi.useTransaction(h -> {
            boolean released = closeHold(h, hold, "VOIDED");
            if (released) {
                h.createUpdate("UPDATE accounts SET held = held - :a WHERE id = :id")
                        .bind("a", hold.amount()).bind("id", hold.accountId()).execute();
            }
            alsoInTransaction.run(h, released);
        });
    }

    /** The state of a hold (OPEN, POSTED, VOIDED), or empty when unknown: used when recovering jobs. */
    public Optional<String> holdState(String holdId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT state FROM credit_holds WHERE id = :id").bind("id", holdId)
                .mapTo(String.class).findOne());
    }

    private boolean closeHold(Handle h, CreditHold hold, String state) {
        return h.createUpdate("UPDATE credit_holds SET state = :s, settled_at = :now WHERE id = :id AND state = 'OPEN'")
                .bind("s", state).bind("now", clock.millis()).bind("id", hold.id()).execute() == 1;
    }

    /**
     * Releases holds that outlived their time to live: their request died with a crashed process. Returns how
     * many were released. Charges never happen here, so a crash can lose a hold but never charge twice.
     */
    public int releaseExpiredHolds() {
        List<CreditHold> expired = jdbi.withHandle(h -> h.createQuery(
                        "SELECT id, account_id, request_id, amount FROM credit_holds WHERE state = 'OPEN' AND expires_at < :now")
                .bind("now", clock.millis())
                .map((rs, ctx) -> new CreditHold(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)))
                .list());
        expired.forEach(this::release);
        return expired.size();
    }

    /**
     * Adds (or, when negative, removes) credits of one kind. With a reference, a repeat with the same amount and
     * kind returns the original entry and changes nothing; the same reference with anything else → 409.
     */
    public GrantResult grant(String accountId, long amount, CreditKind kind, String reference, String entryKind, String description) {
        try {
            return jdbi.inTransaction(h -> grantIn(h, accountId, amount, kind, reference, entryKind, description));
        } catch (UnableToExecuteStatementException e) {
            // Two concurrent grants with one reference on PostgreSQL: the unique index stopped the second one.
            if (reference != null) {
                Optional<LedgerEntry> existing = jdbi.withHandle(h -> byReference(h, accountId, reference));
                if (existing.isPresent()) return repeatOrConflict(existing.get(), amount, kind);
            }
            throw e;
        }
    }

    /** The same as {@link #grant} inside a caller's transaction (used when creating an account). */
    public GrantResult grantIn(Handle h, String accountId, long amount, CreditKind kind, String reference, String entryKind, String description) {
        if (reference != null) {
            Optional<LedgerEntry> existing = byReference(h, accountId, reference);
            if (existing.isPresent()) return repeatOrConflict(existing.get(), amount, kind);
        }
        Balance b = balance(h, accountId, lockRow);
        if (amount < 0) {
            long kindBalance = kind == CreditKind.PAID ? b.paid() : b.free();
            if (kindBalance + amount < 0 || b.available() + amount < 0) {
                throw ApiException.invalid("A correction of " + Money.format(amount) + " would take the " + kind.name().toLowerCase()
                        + " balance below zero (" + kind.name().toLowerCase() + " balance " + Money.format(kindBalance)
                        + ", of which " + Money.format(b.held()) + " is held by running requests)");
            }
        }
        String column = kind == CreditKind.PAID ? "paid_balance" : "free_balance";
        h.createUpdate("UPDATE accounts SET " + column + " = " + column + " + :a WHERE id = :id")
                .bind("a", amount).bind("id", accountId).execute();
        Balance after = kind == CreditKind.PAID ? new Balance(b.paid() + amount, b.free(), b.held())
                : new Balance(b.paid(), b.free() + amount, b.held());
        LedgerEntry entry = insertEntry(h, accountId, entryKind, null, reference, amount, kind.name().toLowerCase(),
                kind == CreditKind.FREE ? amount : 0, kind == CreditKind.PAID ? amount : 0, after, description);
        return new GrantResult(entry, false);
    }

    private GrantResult repeatOrConflict(LedgerEntry existing, long amount, CreditKind kind) {
        if (existing.amount() == amount && existing.creditKind().equals(kind.name().toLowerCase())) return new GrantResult(existing, true);
        throw ApiException.conflict("Reference '" + existing.reference() + "' was already used for "
                + Money.format(existing.amount()) + " " + existing.creditKind() + " credits; use a new reference for a different amount");
    }

    private LedgerEntry insertEntry(Handle h, String accountId, String kind, String requestId, String reference, long amount,
                                    String creditKind, long freeAmount, long paidAmount, Balance after, String description) {
        long now = clock.millis();
        long id = h.createUpdate("INSERT INTO ledger_entries (account_id, kind, request_id, reference, amount, credit_kind, free_amount, "
                        + "paid_amount, free_balance_after, paid_balance_after, description, created_at) VALUES (:acc, :kind, :req, :ref, "
                        + ":amount, :ck, :fa, :pa, :fb, :pb, :d, :now)")
                .bind("acc", accountId).bind("kind", kind).bind("req", requestId).bind("ref", reference).bind("amount", amount)
                .bind("ck", creditKind).bind("fa", freeAmount).bind("pa", paidAmount).bind("fb", after.free()).bind("pb", after.paid())
                .bind("d", description).bind("now", now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        return new LedgerEntry(id, accountId, kind, requestId, reference, amount, creditKind, freeAmount, paidAmount,
                after.free(), after.paid(), description, now);
    }

    private Optional<LedgerEntry> byReference(Handle h, String accountId, String reference) {
        return h.createQuery("SELECT * FROM ledger_entries WHERE account_id = :acc AND reference = :ref")
                .bind("acc", accountId).bind("ref", reference).map((rs, ctx) -> mapEntry(rs)).findOne();
    }

    public List<LedgerEntry> entries(String accountId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM ledger_entries WHERE account_id = :acc ORDER BY id DESC LIMIT :n")
                .bind("acc", accountId).bind("n", limit).map((rs, ctx) -> mapEntry(rs)).list());
    }

    /** Sum of all ledger amounts of an account: must always equal paid + free (the invariant tests assert). */
    public long ledgerSum(String accountId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account_id = :acc")
                .bind("acc", accountId).mapTo(Long.class).one());
    }

    private static LedgerEntry mapEntry(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new LedgerEntry(rs.getLong("id"), rs.getString("account_id"), rs.getString("kind"), rs.getString("request_id"),
                rs.getString("reference"), rs.getLong("amount"), rs.getString("credit_kind"), rs.getLong("free_amount"),
                rs.getLong("paid_amount"), rs.getLong("free_balance_after"), rs.getLong("paid_balance_after"),
                rs.getString("description"), rs.getLong("created_at"));
    }
}
