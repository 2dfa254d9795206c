package dev.hearth.billing;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    /** This node's allocations per account, when calls' holds are decided in memory; null otherwise. */
    private final Authorities authorities;
    /** This node's name on its allocation rows ({@code credit_holds.allocated_to}). */
    private final String nodeId;
    private final ShareSettlements shareSettlements;

    public Ledger(Database db, Clock clock) {
        this(db, clock, LedgerCommits.perStep(db.jdbi()));
    }

    /** With the way changes are committed ({@link LedgerCommits}: authority, grouped, or one transaction per change). */
    public Ledger(Database db, Clock clock, LedgerCommits commits) {
        this(db, clock, commits, "node-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** The same, naming this node on the allocations it takes ({@link AccountAuthority}). */
    public Ledger(Database db, Clock clock, LedgerCommits commits, String nodeId) {
        this.jdbi = db.jdbi();
        this.commits = commits;
        this.clock = clock;
        this.lockRow = db.dialect() == Database.Dialect.POSTGRESQL ? " FOR UPDATE" : "";
        this.nodeId = nodeId;
        this.shareSettlements = new ShareSettlements();
        this.authorities = commits.holdsInMemory() ? new Authorities(new AllocationStore(), clock) : null;
        if (authorities != null) commits.expect(authorities::openShares);
    }

    /**
     * The account's balances. {@code held} counts what running requests hold; the part of this node's allocation
     * that no call uses yet is not counted (it is still free to spend here).
     */
    public Balance balance(String accountId) {
        Balance b = jdbi.withHandle(h -> balance(h, accountId, ""));
        AccountAuthority a = authorities == null ? null : authorities.existing(accountId);
        long unused = a == null ? 0 : a.unused();
        return unused == 0 ? b : new Balance(b.paid(), b.free(), Math.max(0, b.held() - unused));
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

    /**
     * Reserves {@code amount} for one call that nothing needs to find after a restart (a synchronous call: its
     * caller is gone with the process). With holds in memory ({@code billing.ledger_commit: authority}) this
     * writes nothing: the hold is a share of this node's allocation ({@link AccountAuthority}). Otherwise, and
     * for work that a restart must find again (v2 jobs, workflow runs), it is {@link #hold}.
     */
    public CreditHold holdCall(String accountId, String requestId, long amount, long ttlMillis) {
        if (authorities == null) return hold(accountId, requestId, amount, ttlMillis);
        long now = clock.millis();
        CreditHold held = authorities.of(accountId).hold(requestId, amount, ttlMillis, now);
        if (held != null) return held;
        throw new InsufficientCredits(balance(accountId).available(), amount);
    }

    private CreditHold hold(String accountId, String requestId, long amount, long ttlMillis, boolean multiStep) {
        Optional<CreditHold> held = holdInDatabase(accountId, requestId, amount, ttlMillis, multiStep);
        // this node's own allocation may hold the credits asked for: give back its unused part and ask again
        if (held.isEmpty() && giveBackUnused(accountId)) held = holdInDatabase(accountId, requestId, amount, ttlMillis, multiStep);
        if (held.isPresent()) return held.get();
        throw new InsufficientCredits(balance(accountId).available(), amount);
    }

    private boolean giveBackUnused(String accountId) {
        AccountAuthority a = authorities == null ? null : authorities.existing(accountId);
        return a != null && a.giveBackUnused();
    }

    private Optional<CreditHold> holdInDatabase(String accountId, String requestId, long amount, long ttlMillis, boolean multiStep) {
        long now = clock.millis();
        String holdId = UUID.randomUUID().toString();
        return commits.run(h -> {
            int n = h.createUpdate("UPDATE accounts SET held = held + :a WHERE id = :id AND paid_balance + free_balance - held >= :a")
                    .bind("a", amount).bind("id", accountId).execute();
            if (n == 0) return Optional.empty();
            h.createUpdate("INSERT INTO credit_holds (id, account_id, request_id, amount, state, created_at, expires_at) "
                            + "VALUES (:id, :acc, :req, :a, :open, :now, :exp)")
                    .bind("id", holdId).bind("acc", accountId).bind("req", requestId).bind("a", amount)
                    .bind("open", HoldState.OPEN.column()).bind("now", now).bind("exp", now + ttlMillis).execute();
            return Optional.of(new CreditHold(holdId, accountId, requestId, amount, multiStep));
        });
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
        if (hold.inMemory()) return settleShare(hold, requestId, Math.max(0, actualCost), description, alsoInTransaction);
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
        return charge(h, balance(h, hold.accountId(), lockRow), hold.accountId(), requestId, charge, released, description);
    }

    /** Takes {@code charge} from the balance {@code b} (read and locked), free credits first, releasing {@code released} of held. */
    private Settlement charge(Handle h, Balance b, String accountId, String requestId, long charge, long released, String description) {
        long fromFree = Math.min(b.free(), charge);
        long fromPaid = charge - fromFree;
        h.createUpdate("UPDATE accounts SET free_balance = free_balance - :f, paid_balance = paid_balance - :p, held = held - :hold WHERE id = :id")
                .bind("f", fromFree).bind("p", fromPaid).bind("hold", released).bind("id", accountId).execute();
        Balance after = new Balance(b.paid() - fromPaid, b.free() - fromFree, b.held() - released);
        if (charge > 0) {
            // no generated key asked back: a charge's row id is never needed, and asking costs a query on SQLite
            h.createUpdate("INSERT INTO ledger_entries (account_id, kind, request_id, reference, amount, credit_kind, free_amount, "
                            + "paid_amount, free_balance_after, paid_balance_after, description, created_at) VALUES (:acc, :kind, :req, NULL, "
                            + ":amount, :ck, :fa, :pa, :fb, :pb, :d, :now)")
                    .bind("acc", accountId).bind("kind", EntryKind.CHARGE.wire()).bind("req", requestId).bind("amount", -charge)
                    .bind("ck", fromPaid == 0 ? "free" : fromFree == 0 ? "paid" : "mixed").bind("fa", -fromFree).bind("pa", -fromPaid)
                    .bind("fb", after.free()).bind("pb", after.paid()).bind("d", description).bind("now", clock.millis()).execute();
        }
        return new Settlement(charge, after);
    }

    /** A settlement and whether its charge came off the allocation row (false: the row had expired). */
    private record ShareCharged(Settlement settlement, boolean fromAllocation) {
    }

    /**
     * Settles a call's share of this node's allocation: the charge leaves the allocation row and the balance in
     * one transaction, so {@code held} stays the sum of open holds; the share's rest simply returns to the
     * allocation, in memory. Should the allocation row have expired meanwhile (this node stalled past its time
     * to live and a sweeper released it), the charge is taken only if the balance still has it free.
     */
    private Settlement settleShare(CreditHold hold, String requestId, long cost, String description,
                                   InTransaction<Settlement> alsoInTransaction) {
        AccountAuthority authority = authorities.of(hold.accountId());
        AccountAuthority.Share share = authority.take(hold.id());
        long charge = share == null ? 0 : Math.min(cost, share.amount());
        if (charge < cost && share != null) {
            log.warn("request {}: cost {} is above what its hold has left ({}); charged the hold", requestId, Money.format(cost), Money.format(charge));
        }
        ShareCharged done;
        try {
            done = commits.run(new ShareCharge(hold, requestId, charge, description, alsoInTransaction));
        } catch (RuntimeException e) {
            if (share != null) authority.release(share, 0);
            throw e;
        }
        if (share != null) {
            authority.release(share, done.fromAllocation() ? charge : 0);
            if (!done.fromAllocation()) authority.lost(share);
        }
        return done.settlement();
    }

    /**
     * The settlement of one call's share, as a change the group commit can join with its neighbours: a batch of
     * them reads and updates each account row once and each allocation row once, and inserts the entries in one
     * prepared batch. Each entry's balances after are computed in order, free credits first, as one by one.
     */
    private final class ShareCharge implements LedgerCommits.Joinable<ShareCharged> {
        private final CreditHold hold;
        private final String requestId;
        private final long charge;
        private final String description;
        private final InTransaction<Settlement> alsoInTransaction;

        ShareCharge(CreditHold hold, String requestId, long charge, String description, InTransaction<Settlement> alsoInTransaction) {
            this.hold = hold;
            this.requestId = requestId;
            this.charge = charge;
            this.description = description;
            this.alsoInTransaction = alsoInTransaction;
        }

        @Override
        public Object kind() {
            return ShareCharge.class;
        }

        @Override
        public ShareCharged apply(Handle h) {
            // outside the leader's connection (grouped, per_step, after close): statements for this transaction only
            try (CachedStatements statements = new CachedStatements(h.getConnection())) {
                return applyAll(h, statements, List.of(this)).getFirst();
            }
        }

        @Override
        public List<ShareCharged> applyAll(Handle h, CachedStatements statements, List<LedgerCommits.Joinable<ShareCharged>> all) {
            try {
                return shareSettlements.settle(h, statements, all);
            } catch (SQLException e) {
                throw new IllegalStateException("settling " + all.size() + " calls failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The settlements of calls' shares in plain JDBC on cached statements: per account, one read and one update
     * of its row, one update per allocation row, and the entries inserted as one JDBC batch. Each entry's
     * balances after are computed in order, free credits first, as if the charges ran one by one.
     */
    private final class ShareSettlements {
        private final String readAccount = "SELECT paid_balance, free_balance, held FROM accounts WHERE id = ?" + lockRow;
        private static final String CHARGE_ALLOCATION =
                "UPDATE credit_holds SET amount = amount - ? WHERE id = ? AND state = ? AND amount >= ?";
        private static final String WRITE_ACCOUNT = "UPDATE accounts SET free_balance = ?, paid_balance = ?, held = ? WHERE id = ?";
        private static final String INSERT_CHARGE = "INSERT INTO ledger_entries (account_id, kind, request_id, reference, amount, "
                + "credit_kind, free_amount, paid_amount, free_balance_after, paid_balance_after, description, created_at) "
                + "VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)";

        List<ShareCharged> settle(Handle h, CachedStatements statements, List<LedgerCommits.Joinable<ShareCharged>> all) throws SQLException {
            boolean alone = all.size() == 1;
            // accounts in the order their first charge came; most batches are of one account
            Map<String, List<ShareCharge>> byAccount = new LinkedHashMap<>();
            for (LedgerCommits.Joinable<ShareCharged> j : all) {
                ShareCharge c = (ShareCharge) j;
                byAccount.computeIfAbsent(c.hold.accountId(), k -> new ArrayList<>(all.size())).add(c);
            }
            Map<ShareCharge, ShareCharged> results = new IdentityHashMap<>(all.size());
            PreparedStatement insert = null;
            long now = clock.millis();
            for (Map.Entry<String, List<ShareCharge>> account : byAccount.entrySet()) {
                String accountId = account.getKey();
                // the account row first, as every ledger change locks it, so two transactions never wait for each other
                Balance b = readAccount(statements, accountId);
                boolean fromAllocation = true;
                Map<String, Long> byAllocation = new LinkedHashMap<>();
                for (ShareCharge c : account.getValue()) {
                    // a share already settled charges nothing, and its allocation may be gone: not asked about
                    if (c.charge > 0) byAllocation.merge(c.hold.allocationId(), c.charge, Long::sum);
                }
                for (Map.Entry<String, Long> a : byAllocation.entrySet()) {
                    if (chargeAllocation(statements, a.getKey(), a.getValue())) continue;
                    // the allocation row expired (a sweeper released it): in a joined batch, roll back and let each
                    // charge be settled on its own; alone, the charge is taken only if the balance still has it free
                    if (!alone) throw new LostAllocation();
                    fromAllocation = false;
                    ShareCharge c = account.getValue().getFirst();
                    if (b.available() < c.charge) {
                        log.warn("request {}: its credit allocation expired and the balance no longer covers {}; not charged",
                                c.requestId, Money.format(c.charge));
                        results.put(c, new ShareCharged(new Settlement(0, b), false));
                    }
                }
                long paid = b.paid(), free = b.free(), held = b.held();
                boolean changed = false;
                for (ShareCharge c : account.getValue()) {
                    if (results.containsKey(c)) continue;
                    long fromFree = Math.min(free, c.charge);
                    long fromPaid = c.charge - fromFree;
                    free -= fromFree;
                    paid -= fromPaid;
                    // a charge off the allocation row leaves held with it; off an expired one, held was already released
                    if (fromAllocation) held -= c.charge;
                    results.put(c, new ShareCharged(new Settlement(c.charge, new Balance(paid, free, held)), fromAllocation));
                    if (c.charge == 0) continue;
                    changed = true;
                    if (insert == null) insert = statements.get(INSERT_CHARGE);
                    insert.setString(1, accountId);
                    insert.setString(2, EntryKind.CHARGE.wire());
                    insert.setString(3, c.requestId);
                    insert.setLong(4, -c.charge);
                    insert.setString(5, fromPaid == 0 ? "free" : fromFree == 0 ? "paid" : "mixed");
                    insert.setLong(6, -fromFree);
                    insert.setLong(7, -fromPaid);
                    insert.setLong(8, free);
                    insert.setLong(9, paid);
                    insert.setString(10, c.description);
                    insert.setLong(11, now);
                    insert.addBatch();
                }
                if (changed) writeAccount(statements, accountId, free, paid, held);
            }
            if (insert != null) insert.executeBatch();
            List<ShareCharged> out = new ArrayList<>(all.size());
            for (LedgerCommits.Joinable<ShareCharged> j : all) {
                ShareCharge c = (ShareCharge) j;
                ShareCharged r = results.get(c);
                c.alsoInTransaction.run(h, r.settlement());
                out.add(r);
            }
            return out;
        }

        private Balance readAccount(CachedStatements statements, String accountId) throws SQLException {
            PreparedStatement s = statements.get(readAccount);
            s.setString(1, accountId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) throw new BillingException.UnknownAccount(accountId);
                return new Balance(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }

        private boolean chargeAllocation(CachedStatements statements, String allocationId, long charge) throws SQLException {
            PreparedStatement s = statements.get(CHARGE_ALLOCATION);
            s.setLong(1, charge);
            s.setString(2, allocationId);
            s.setString(3, HoldState.OPEN.column());
            s.setLong(4, charge);
            return s.executeUpdate() == 1;
        }

        private void writeAccount(CachedStatements statements, String accountId, long free, long paid, long held) throws SQLException {
            PreparedStatement s = statements.get(WRITE_ACCOUNT);
            s.setLong(1, free);
            s.setLong(2, paid);
            s.setLong(3, held);
            s.setString(4, accountId);
            s.executeUpdate();
        }
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
        if (hold.inMemory()) {
            // a share goes back to the allocation, in memory: only the caller's own record needs a transaction
            AccountAuthority authority = authorities.of(hold.accountId());
            AccountAuthority.Share share = authority.take(hold.id());
            if (share != null) authority.release(share, 0);
            commits.run(h -> {
                alsoInTransaction.run(h, share != null);
                return null;
            });
            return;
        }
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
        // a correction may need credits that this node's allocation holds unused
        if (amount < 0) giveBackUnused(accountId);
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

    /** Gives back this node's allocations, then stops the group-commit writer, if any, after committing what it was given. */
    @Override
    public void close() {
        if (authorities != null) authorities.close();
        commits.close();
    }

    /** For tests: stop as a crashed node would, leaving its allocations open in the database until they expire. */
    void abandonAllocations() {
        if (authorities != null) authorities.abandon();
    }

    /** The database's part of {@link AccountAuthority}: allocation rows, through this ledger's commits. */
    private final class AllocationStore implements AccountAuthority.Store {

        @Override
        public boolean allocate(String accountId, String allocationId, boolean create, long amount, long expiresAt)
                throws AccountAuthority.AllocationLost {
            int r;
            try {
                r = commits.run(h -> allocateIn(h, accountId, allocationId, create, amount, expiresAt));
            } catch (LostAllocation e) {
                throw new AccountAuthority.AllocationLost();
            }
            return r == 1;
        }

        private int allocateIn(Handle h, String accountId, String allocationId, boolean create, long amount, long expiresAt) {
            int n = h.createUpdate("UPDATE accounts SET held = held + :a WHERE id = :id AND paid_balance + free_balance - held >= :a")
                    .bind("a", amount).bind("id", accountId).execute();
            if (n == 0) return 0;
            if (create) {
                h.createUpdate("INSERT INTO credit_holds (id, account_id, request_id, amount, state, created_at, expires_at, allocated_to) "
                                + "VALUES (:id, :acc, :req, :a, :open, :now, :exp, :node)")
                        .bind("id", allocationId).bind("acc", accountId).bind("req", "allocation:" + nodeId).bind("a", amount)
                        .bind("open", HoldState.OPEN.column()).bind("now", clock.millis()).bind("exp", expiresAt)
                        .bind("node", nodeId).execute();
                return 1;
            }
            int m = h.createUpdate("UPDATE credit_holds SET amount = amount + :a, expires_at = :exp WHERE id = :id AND state = :open")
                    .bind("a", amount).bind("exp", expiresAt).bind("id", allocationId).bind("open", HoldState.OPEN.column()).execute();
            // the row expired and was released: undo the held increase (roll back) and start a new allocation
            if (m == 0) throw new LostAllocation();
            return 1;
        }

        @Override
        public boolean shrink(String accountId, String allocationId, long amount) {
            return commits.run(h -> {
                balance(h, accountId, lockRow);
                int n = h.createUpdate("UPDATE credit_holds SET amount = amount - :a WHERE id = :id AND state = :open AND amount >= :a")
                        .bind("a", amount).bind("id", allocationId).bind("open", HoldState.OPEN.column()).execute();
                if (n == 1) h.createUpdate("UPDATE accounts SET held = held - :a WHERE id = :id").bind("a", amount).bind("id", accountId).execute();
                return n == 1;
            });
        }

        @Override
        public void giveBack(String accountId, String allocationId) {
            voidHold(new CreditHold(allocationId, accountId, "allocation:" + nodeId, 0));
        }

        @Override
        public boolean renew(String allocationId, long expiresAt) {
            return commits.run(h -> h.createUpdate("UPDATE credit_holds SET expires_at = :exp WHERE id = :id AND state = :open")
                    .bind("exp", expiresAt).bind("id", allocationId).bind("open", HoldState.OPEN.column()).execute()) == 1;
        }
    }

    /** Thrown inside a top-up's transaction to roll it back; becomes {@link AccountAuthority.AllocationLost}. */
    private static final class LostAllocation extends RuntimeException {
        LostAllocation() {
            super("allocation no longer open", null, false, false);
        }
    }
}
