package dev.hearth.billing;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * All money moves here, and only here: every charge is {@link #hold} (reserve the worst case, from
 * {@link Pricing#worstCase}; refused when paid + free − held is below it) → {@link #settle} (charge the
 * actual cost, free credits first, and release the rest) or {@link #voidHold} (give it all back). Model calls,
 * dedicated endpoints' worker time and workflow runs ({@link #holdForSteps}: one hold, one charge per node)
 * all go through these three. Grants and corrections are
 * idempotent by reference. Every change of a balance inserts a ledger row in the same transaction, and the
 * schema's CHECK constraints make a negative balance impossible even if this code were wrong.
 */
public final class Ledger implements AutoCloseable {

    public enum CreditKind { PAID, FREE }

    private static final Logger log = LoggerFactory.getLogger(Ledger.class);

    private final Jdbi jdbi;
    private final LedgerCommits commits;
    private final Clock clock;
    /** PostgreSQL needs row locks for read-then-write; SQLite's IMMEDIATE transactions already serialise writers. */
    private final String lockRow;

    public Ledger(Database db, Clock clock) {
        this(db, clock, LedgerCommits.perStep(db.jdbi()));
    }

    /** With the way changes are committed ({@link LedgerCommits}: grouped, or one transaction per change). */
    public Ledger(Database db, Clock clock, LedgerCommits commits) {
        this.jdbi = db.jdbi();
        this.commits = commits;
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
                .findOne().orElseThrow(() -> new BillingException.UnknownAccount(accountId));
    }

    /**
     * Reserves {@code amount} for a request. The conditional UPDATE is the whole check: two concurrent holds
     * can never both pass on the same credits.
     */
    public CreditHold hold(String accountId, String requestId, long amount, long ttlMillis) {
        return hold(accountId, requestId, amount, ttlMillis, false);
    }

    /**
     * Reserves the worst case of work made of several charged steps (a workflow run's model nodes), under the
     * work's id: each step charges it through {@link #settle(CreditHold, String, long, String, InTransaction)}
     * with its own request id, and {@link #voidHold} gives the rest back when the work ends. After a restart
     * {@link #openHold} finds it again by the same id.
     */
    public CreditHold holdForSteps(String accountId, String workId, long amount, long ttlMillis) {
        return hold(accountId, workId, amount, ttlMillis, true);
    }

    private CreditHold hold(String accountId, String requestId, long amount, long ttlMillis, boolean multiStep) {
        long now = clock.millis();
        String holdId = UUID.randomUUID().toString();
        Optional<CreditHold> held = commits.run(h -> {
            int n = h.createUpdate("UPDATE accounts SET held = held + :a WHERE id = :id AND paid_balance + free_balance - held >= :a")
                    .bind("a", amount).bind("id", accountId).execute();
            if (n == 0) return Optional.empty();
            h.createUpdate("INSERT INTO credit_holds (id, account_id, request_id, amount, state, created_at, expires_at) "
                            + "VALUES (:id, :acc, :req, :a, :open, :now, :exp)")
                    .bind("id", holdId).bind("acc", accountId).bind("req", requestId).bind("a", amount)
                    .bind("open", HoldState.OPEN.column()).bind("now", now).bind("exp", now + ttlMillis).execute();
            return Optional.of(new CreditHold(holdId, accountId, requestId, amount, multiStep));
        });
        if (held.isPresent()) return held.get();
        throw new InsufficientCredits(balance(accountId).available(), amount);
    }

    /** The open hold of multi-step work (a workflow run) by the work's id, e.g. to go on after a restart. */
    public Optional<CreditHold> openHold(String workId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, account_id, request_id, amount FROM credit_holds "
                        + "WHERE request_id = :r AND state = :open")
                .bind("r", workId).bind("open", HoldState.OPEN.column())
                .map((rs, ctx) -> new CreditHold(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), true))
                .findFirst());
    }

    /** Settles a call's hold: charges {@code actualCost} and releases the rest. */
    public Settlement settle(CreditHold hold, long actualCost, String description) {
        return settle(hold, hold.requestId(), actualCost, description, (h, s) -> { });
    }

    /**
     * Charges {@code actualCost} for request {@code requestId} against a hold, and runs {@code alsoInTransaction}
     * in the same transaction, so what records the outcome (a job's COMPLETED row) commits with the charge or not
     * at all: a crash can never leave a charged job that looks unfinished, or the reverse.
     * <p>
     * A call's hold ends here (the rest is released). A multi-step hold stays open with the charge taken off it,
     * for the next step. Idempotent: a hold that is no longer open, or a request id already charged, charges
     * nothing and returns the balance. The charge never exceeds what the hold has left: the hold is the most the
     * caller agreed to pay, and this is the one place that rule is applied (logged when it bites, since it means
     * an estimate was below the actual cost).
     */
    public Settlement settle(CreditHold hold, String requestId, long actualCost, String description,
                             InTransaction<Settlement> alsoInTransaction) {
        return commits.run(h -> {
            Settlement s = settleIn(h, hold, requestId, Math.max(0, actualCost), description);
            alsoInTransaction.run(h, s);
            return s;
        });
    }

    /** Work that must commit or roll back together with a ledger change. */
    @FunctionalInterface
    public interface InTransaction<T> {
        void run(Handle handle, T result);
    }

    private Settlement settleIn(Handle h, CreditHold hold, String requestId, long cost, String description) {
        Optional<Long> left = openAmount(h, hold);
        if (left.isEmpty() || (hold.multiStep() && charged(h, requestId))) {
            return new Settlement(0, balance(h, hold.accountId(), ""));
        }
        long charge = Math.min(cost, left.get());
        if (charge < cost) {
            log.warn("request {}: cost {} is above what its hold has left ({}); charged the hold", requestId, Money.format(cost), Money.format(charge));
        }
        long released;
        if (hold.multiStep()) {
            h.createUpdate("UPDATE credit_holds SET amount = amount - :c WHERE id = :id").bind("c", charge).bind("id", hold.id()).execute();
            released = charge;
        } else {
            close(h, hold, HoldState.SETTLED);
            released = left.get();
        }
        Balance b = balance(h, hold.accountId(), lockRow);
        long fromFree = Math.min(b.free(), charge);
        long fromPaid = charge - fromFree;
        h.createUpdate("UPDATE accounts SET free_balance = free_balance - :f, paid_balance = paid_balance - :p, held = held - :hold WHERE id = :id")
                .bind("f", fromFree).bind("p", fromPaid).bind("hold", released).bind("id", hold.accountId()).execute();
        Balance after = new Balance(b.paid() - fromPaid, b.free() - fromFree, b.held() - released);
        if (charge > 0) {
            insertEntry(h, hold.accountId(), EntryKind.CHARGE, requestId, null, -charge,
                    fromPaid == 0 ? "free" : fromFree == 0 ? "paid" : "mixed", -fromFree, -fromPaid, after, description);
        }
        return new Settlement(charge, after);
    }

    /** What an open hold has left (locked on PostgreSQL until the transaction ends), or empty when it has ended. */
    private Optional<Long> openAmount(Handle h, CreditHold hold) {
        return h.createQuery("SELECT amount FROM credit_holds WHERE id = :id AND state = :open" + lockRow)
                .bind("id", hold.id()).bind("open", HoldState.OPEN.column()).mapTo(Long.class).findOne();
    }

    private boolean charged(Handle h, String requestId) {
        return h.createQuery("SELECT COUNT(*) FROM ledger_entries WHERE request_id = :r AND kind = :charge")
                .bind("r", requestId).bind("charge", EntryKind.CHARGE.wire()).mapTo(Integer.class).one() > 0;
    }

    /** Whether a request id has been charged (a workflow node that ran before a restart is never run again). */
    public boolean charged(String requestId) {
        return jdbi.withHandle(h -> charged(h, requestId));
    }

    /** Gives back all a hold has left (the call failed or was refused, or the run ended). Idempotent. */
    public void voidHold(CreditHold hold) {
        voidHold(hold, (h, released) -> { });
    }

    /** Voids like {@link #voidHold(CreditHold)}, with the caller's outcome record in the same transaction. */
    public void voidHold(CreditHold hold, InTransaction<Boolean> alsoInTransaction) {
        commits.run(h -> {
            Optional<Long> left = openAmount(h, hold);
            if (left.isPresent()) {
                close(h, hold, HoldState.VOIDED);
                h.createUpdate("UPDATE accounts SET held = held - :a WHERE id = :id")
                        .bind("a", left.get()).bind("id", hold.accountId()).execute();
            }
            alsoInTransaction.run(h, left.isPresent());
            return null;
        });
    }

    /** The state of a hold, or empty when unknown: used when recovering jobs. */
    public Optional<HoldState> holdState(String holdId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT state FROM credit_holds WHERE id = :id").bind("id", holdId)
                .mapTo(String.class).findOne().map(HoldState::fromColumn));
    }

    private void close(Handle h, CreditHold hold, HoldState state) {
        h.createUpdate("UPDATE credit_holds SET state = :s, settled_at = :now WHERE id = :id")
                .bind("s", state.column()).bind("now", clock.millis()).bind("id", hold.id()).execute();
    }

    /**
     * Releases holds that outlived their time to live: their request died with a crashed process. Returns how
     * many were released. Charges never happen here, so a crash can lose a hold but never charge twice.
     */
    public int releaseExpiredHolds() {
        List<CreditHold> expired = jdbi.withHandle(h -> h.createQuery(
                        "SELECT id, account_id, request_id, amount FROM credit_holds WHERE state = :open AND expires_at < :now")
                .bind("open", HoldState.OPEN.column())
                .bind("now", clock.millis())
                .map((rs, ctx) -> new CreditHold(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)))
                .list());
        expired.forEach(this::voidHold);
        return expired.size();
    }

    /**
     * Adds (or, when negative, removes) credits of one kind. With a reference, a repeat with the same amount and
     * kind returns the original entry and changes nothing; the same reference with anything else → 409.
     */
    public GrantResult grant(String accountId, long amount, CreditKind kind, String reference, EntryKind entryKind, String description) {
        try {
            return commits.run(h -> grantIn(h, accountId, amount, kind, reference, entryKind, description));
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
    public GrantResult grantIn(Handle h, String accountId, long amount, CreditKind kind, String reference, EntryKind entryKind, String description) {
        if (reference != null) {
            Optional<LedgerEntry> existing = byReference(h, accountId, reference);
            if (existing.isPresent()) return repeatOrConflict(existing.get(), amount, kind);
        }
        Balance b = balance(h, accountId, lockRow);
        if (amount < 0) {
            long kindBalance = kind == CreditKind.PAID ? b.paid() : b.free();
            if (kindBalance + amount < 0 || b.available() + amount < 0) {
                throw new BillingException.BelowZero("A correction of " + Money.format(amount) + " would take the " + kind.name().toLowerCase()
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
        throw new BillingException.ReferenceReused("Reference '" + existing.reference() + "' was already used for "
                + Money.format(existing.amount()) + " " + existing.creditKind() + " credits; use a new reference for a different amount");
    }

    private LedgerEntry insertEntry(Handle h, String accountId, EntryKind kind, String requestId, String reference, long amount,
                                    String creditKind, long freeAmount, long paidAmount, Balance after, String description) {
        long now = clock.millis();
        long id = h.createUpdate("INSERT INTO ledger_entries (account_id, kind, request_id, reference, amount, credit_kind, free_amount, "
                        + "paid_amount, free_balance_after, paid_balance_after, description, created_at) VALUES (:acc, :kind, :req, :ref, "
                        + ":amount, :ck, :fa, :pa, :fb, :pb, :d, :now)")
                .bind("acc", accountId).bind("kind", kind.wire()).bind("req", requestId).bind("ref", reference).bind("amount", amount)
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
        return new LedgerEntry(rs.getLong("id"), rs.getString("account_id"), EntryKind.fromWire(rs.getString("kind")), rs.getString("request_id"),
                rs.getString("reference"), rs.getLong("amount"), rs.getString("credit_kind"), rs.getLong("free_amount"),
                rs.getLong("paid_amount"), rs.getLong("free_balance_after"), rs.getLong("paid_balance_after"),
                rs.getString("description"), rs.getLong("created_at"));
    }

    /** Stops the group-commit writer, if any, after committing what it was given. */
    @Override
    public void close() {
        commits.close();
    }
}
