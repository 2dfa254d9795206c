package dev.hearth.billing;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

import java.util.ArrayList;
import java.util.List;

/**
 * The ledger's invariants, checked on one consistent snapshot of the database (SQLite or PostgreSQL) after a
 * test has moved money. Called from the shared test server's close, so every integration test checks them:
 * <ul>
 *   <li>per account, its ledger entries add up to its balance (paid and free each);</li>
 *   <li>{@code held} is the sum of its open holds;</li>
 *   <li>no balance, held amount or hold is negative;</li>
 *   <li>no request id is charged more than once.</li>
 * </ul>
 */
public final class LedgerInvariants {

    private LedgerInvariants() {
    }

    /** Throws an AssertionError listing every broken invariant. */
    public static void check(Database db) {
        check(db.jdbi(), db.dialect() == Database.Dialect.POSTGRESQL);
    }

    /**
     * The same on a database opened by the test itself (a killed process's SQLite file). PostgreSQL's default
     * isolation reads each statement at its own moment, so it is asked for one snapshot; an SQLite transaction
     * already is one.
     */
    public static void check(Jdbi jdbi, boolean postgres) {
        List<String> broken = postgres ? jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, LedgerInvariants::broken)
                : jdbi.inTransaction(LedgerInvariants::broken);
        if (!broken.isEmpty()) throw new AssertionError("ledger invariants broken:\n  " + String.join("\n  ", broken));
    }

    static List<String> broken(Handle h) {
        List<String> out = new ArrayList<>();
        out.addAll(h.createQuery("SELECT a.id, a.paid_balance, a.free_balance, COALESCE(SUM(e.paid_amount), 0), COALESCE(SUM(e.free_amount), 0) "
                        + "FROM accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id GROUP BY a.id, a.paid_balance, a.free_balance "
                        + "HAVING a.paid_balance <> COALESCE(SUM(e.paid_amount), 0) OR a.free_balance <> COALESCE(SUM(e.free_amount), 0)")
                .map((rs, c) -> "account " + rs.getString(1) + ": balance paid " + rs.getLong(2) + " free " + rs.getLong(3)
                        + " but its entries add up to paid " + rs.getLong(4) + " free " + rs.getLong(5))
                .list());
        out.addAll(h.createQuery("SELECT a.id, a.held, COALESCE(SUM(ch.amount), 0) FROM accounts a "
                        + "LEFT JOIN credit_holds ch ON ch.account_id = a.id AND ch.state = :open GROUP BY a.id, a.held "
                        + "HAVING a.held <> COALESCE(SUM(ch.amount), 0)")
                .bind("open", HoldState.OPEN.column())
                .map((rs, c) -> "account " + rs.getString(1) + ": held " + rs.getLong(2) + " but its open holds add up to " + rs.getLong(3))
                .list());
        out.addAll(h.createQuery("SELECT id FROM accounts WHERE paid_balance < 0 OR free_balance < 0 OR held < 0")
                .map((rs, c) -> "account " + rs.getString(1) + ": a negative balance or held amount").list());
        out.addAll(h.createQuery("SELECT id FROM credit_holds WHERE amount < 0")
                .map((rs, c) -> "hold " + rs.getString(1) + ": a negative amount").list());
        out.addAll(h.createQuery("SELECT request_id, COUNT(*) FROM ledger_entries WHERE kind = :charge GROUP BY request_id HAVING COUNT(*) > 1")
                .bind("charge", EntryKind.CHARGE.wire())
                .map((rs, c) -> "request " + rs.getString(1) + ": charged " + rs.getInt(2) + " times").list());
        return out;
    }
}
