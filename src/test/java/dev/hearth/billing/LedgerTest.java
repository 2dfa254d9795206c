package dev.hearth.billing;

import dev.hearth.TestDatabases;
import dev.hearth.accounts.Accounts;
import dev.hearth.config.ConfigLoader;
import dev.hearth.store.Database;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ledger's rules, run unchanged on SQLite and on PostgreSQL, through group commit (the default) and one
 * transaction per step: free credits first, holds that cannot overdraw, idempotent settle and void, multi-step
 * holds for workflow runs, grants idempotent by reference, corrections that never go below zero, and the ledger
 * invariants ({@link LedgerInvariants}) after every test.
 */
class LedgerTest {

    enum Store { SQLITE, POSTGRESQL }

    interface Body {
        void run(Ledger ledger, Accounts accounts) throws Exception;
    }

    interface BodyWithDatabase {
        void run(Ledger ledger, Accounts accounts, Database db) throws Exception;
    }

    static void withLedger(Store store, Body body) throws Exception {
        withLedger(store, (ledger, accounts, db) -> body.run(ledger, accounts));
    }

    static void withLedger(Store store, BodyWithDatabase body) throws Exception {
        withLedger(store, "grouped", body);
    }

    static void withLedger(Store store, String commits, BodyWithDatabase body) throws Exception {
        Map<String, String> o = new HashMap<>();
        o.put("data_dir", Files.createTempDirectory("hearth-ledger").toString());
        if (store == Store.POSTGRESQL) {
            TestDatabases.requirePostgres();
            o.putAll(TestDatabases.postgresOverrides(TestDatabases.freshSchema()));
        }
        try (Database db = Database.open(ConfigLoader.load(null, Map.of(), o))) {
            try {
                try (Ledger ledger = new Ledger(db, Clock.systemUTC(), LedgerCommits.of(commits, db.jdbi()))) {
                    body.run(ledger, new Accounts(db, ledger, Clock.systemUTC()), db);
                }
                LedgerInvariants.check(db);
            } finally {
                if (store == Store.POSTGRESQL) db.dropSchema();
            }
        }
    }

    static final long CENT = 10_000_000L;

    @ParameterizedTest
    @EnumSource(Store.class)
    void freeCreditsAreSpentFirstThenPaid(Store store) throws Exception {
        withLedger(store, (ledger, accounts) -> {
            String acc = accounts.create("a", "free", 3 * CENT).accountId();
            ledger.grant(acc, 10 * CENT, Ledger.CreditKind.PAID, "r1", EntryKind.GRANT, null);
            CreditHold h = ledger.hold(acc, "req-1", 5 * CENT, 60_000);
            assertThat(ledger.balance(acc).available()).isEqualTo(8 * CENT);
            Settlement s = ledger.settle(h, 4 * CENT, "m");
            assertThat(s.charged()).isEqualTo(4 * CENT);
            assertThat(ledger.balance(acc)).isEqualTo(new Balance(9 * CENT, 0, 0));
            var charge = ledger.entries(acc, 1).getFirst();
            assertThat(charge.kind()).isEqualTo(EntryKind.CHARGE);
            assertThat(charge.creditKind()).isEqualTo("mixed");
            assertThat(charge.freeAmount()).isEqualTo(-3 * CENT);
            assertThat(charge.paidAmount()).isEqualTo(-1 * CENT);
            assertThat(charge.requestId()).isEqualTo("req-1");
            assertThat(ledger.ledgerSum(acc)).isEqualTo(ledger.balance(acc).total());
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void holdsCannotOverdrawAndSettleOrVoidHappenOnce(Store store) throws Exception {
        withLedger(store, (ledger, accounts) -> {
            String acc = accounts.create("b", "free", 10 * CENT).accountId();
            CreditHold h1 = ledger.hold(acc, "r1", 6 * CENT, 60_000);
            assertThatThrownBy(() -> ledger.hold(acc, "r2", 6 * CENT, 60_000))
                    .isInstanceOfSatisfying(InsufficientCredits.class, e -> {
                        assertThat(e.available()).isEqualTo(4 * CENT);
                        assertThat(e.price()).isEqualTo(6 * CENT);
                    });
            // the actual cost is capped at the hold, here and only here: a caller never pays more than the price it was shown
            assertThat(ledger.settle(h1, 9 * CENT, "m").charged()).isEqualTo(6 * CENT);
            assertThat(ledger.settle(h1, 6 * CENT, "m").charged()).isZero();
            ledger.voidHold(h1);
            assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 4 * CENT, 0));
            CreditHold h2 = ledger.hold(acc, "r3", 4 * CENT, 60_000);
            ledger.voidHold(h2);
            ledger.voidHold(h2);
            assertThat(ledger.settle(h2, 4 * CENT, "m").charged()).isZero();
            assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 4 * CENT, 0));
            assertThat(ledger.ledgerSum(acc)).isEqualTo(4 * CENT);
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void grantsAreIdempotentByReferenceAndCorrectionsNeverGoBelowZero(Store store) throws Exception {
        withLedger(store, (ledger, accounts) -> {
            String acc = accounts.create("c", "free", 0).accountId();
            GrantResult first = ledger.grant(acc, 5 * CENT, Ledger.CreditKind.PAID, "invoice-7", EntryKind.GRANT, null);
            GrantResult again = ledger.grant(acc, 5 * CENT, Ledger.CreditKind.PAID, "invoice-7", EntryKind.GRANT, null);
            assertThat(again.repeated()).isTrue();
            assertThat(again.entry().id()).isEqualTo(first.entry().id());
            assertThat(ledger.balance(acc).paid()).isEqualTo(5 * CENT);
            assertThatThrownBy(() -> ledger.grant(acc, 6 * CENT, Ledger.CreditKind.PAID, "invoice-7", EntryKind.GRANT, null))
                    .isInstanceOf(BillingException.ReferenceReused.class);
            assertThatThrownBy(() -> ledger.grant(acc, -6 * CENT, Ledger.CreditKind.PAID, "fix-1", EntryKind.CORRECTION, null))
                    .isInstanceOf(BillingException.BelowZero.class);
            CreditHold h = ledger.hold(acc, "r", 4 * CENT, 60_000);
            // 5 paid, 4 held: taking 2 away would leave less than the running request may be charged
            assertThatThrownBy(() -> ledger.grant(acc, -2 * CENT, Ledger.CreditKind.PAID, "fix-2", EntryKind.CORRECTION, null))
                    .isInstanceOf(BillingException.BelowZero.class);
            ledger.voidHold(h);
            ledger.grant(acc, -2 * CENT, Ledger.CreditKind.PAID, "fix-3", EntryKind.CORRECTION, null);
            assertThat(ledger.balance(acc).paid()).isEqualTo(3 * CENT);
            assertThat(ledger.ledgerSum(acc)).isEqualTo(3 * CENT);
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void concurrentHoldsNeverOverdraw(Store store) throws Exception {
        concurrentHoldsNeverOverdraw(store, "grouped");
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void concurrentHoldsNeverOverdrawWithOneTransactionPerStep(Store store) throws Exception {
        concurrentHoldsNeverOverdraw(store, "per_step");
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void concurrentHoldsNeverOverdrawWithTheLeaderFollowerCommit(Store store) throws Exception {
        concurrentHoldsNeverOverdraw(store, "authority");
    }

    private static void concurrentHoldsNeverOverdraw(Store store, String commits) throws Exception {
        withLedger(store, commits, (ledger, accounts, db) -> {
            String acc = accounts.create("d", "free", 25 * CENT).accountId();
            AtomicInteger held = new AtomicInteger();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 100; i++) {
                    int n = i;
                    pool.submit(() -> {
                        try {
                            CreditHold h = ledger.hold(acc, "r" + n, CENT, 60_000);
                            held.incrementAndGet();
                            ledger.settle(h, CENT, "m");
                        } catch (InsufficientCredits expected) {
                            // refused: the balance is spent
                        }
                        return null;
                    });
                }
            }
            assertThat(held.get()).isEqualTo(25);
            assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 0, 0));
            assertThat(ledger.ledgerSum(acc)).isZero();
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void holdsLeftByACrashAreReleasedWhenExpired(Store store) throws Exception {
        withLedger(store, (ledger, accounts) -> {
            String acc = accounts.create("e", "free", 10 * CENT).accountId();
            ledger.hold(acc, "crashed-request", 7 * CENT, -1);
            assertThat(ledger.balance(acc).available()).isEqualTo(3 * CENT);
            assertThat(ledger.releaseExpiredHolds()).isEqualTo(1);
            assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 10 * CENT, 0));
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void aHoldForStepsIsChargedOncePerStepAndGivesBackTheRestWhenVoided(Store store) throws Exception {
        withLedger(store, (ledger, accounts) -> {
            String acc = accounts.create("f", "free", 10 * CENT).accountId();
            CreditHold run = ledger.holdForSteps(acc, "wfr_1", 6 * CENT, 60_000);
            assertThat(ledger.balance(acc).available()).isEqualTo(4 * CENT);
            assertThat(ledger.settle(run, "wfr_1-a", 2 * CENT, "m", (h, s) -> { }).charged()).isEqualTo(2 * CENT);
            // the same step again (a retry, a resumed node) charges nothing
            assertThat(ledger.settle(run, "wfr_1-a", 2 * CENT, "m", (h, s) -> { }).charged()).isZero();
            assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 8 * CENT, 4 * CENT));
            // after a restart the run finds its hold again, with what it has left
            CreditHold found = ledger.openHold("wfr_1").orElseThrow();
            assertThat(found.id()).isEqualTo(run.id());
            assertThat(found.amount()).isEqualTo(4 * CENT);
            // a step never takes more than the hold has left
            assertThat(ledger.settle(found, "wfr_1-b", 5 * CENT, "m", (h, s) -> { }).charged()).isEqualTo(4 * CENT);
            assertThat(ledger.settle(found, "wfr_1-c", CENT, "m", (h, s) -> { }).charged()).isZero();
            ledger.voidHold(run);
            assertThat(ledger.openHold("wfr_1")).isEmpty();
            assertThat(ledger.holdState(run.id())).contains(HoldState.VOIDED);
            assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 4 * CENT, 0));
            assertThat(ledger.charged("wfr_1-a")).isTrue();
            assertThat(ledger.charged("wfr_1-c")).isFalse();
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void voidingARunHoldAfterPartOfItWasChargedReleasesOnlyTheRest(Store store) throws Exception {
        withLedger(store, (ledger, accounts) -> {
            String acc = accounts.create("g", "free", 10 * CENT).accountId();
            CreditHold run = ledger.holdForSteps(acc, "wfr_2", 10 * CENT, 60_000);
            assertThatThrownBy(() -> ledger.hold(acc, "other", CENT, 60_000)).isInstanceOf(InsufficientCredits.class);
            ledger.settle(run, "wfr_2-a", 3 * CENT, "m", (h, s) -> { });
            ledger.voidHold(run);
            ledger.voidHold(run);
            assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 7 * CENT, 0));
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void theInvariantCheckCatchesABalanceChangedWithoutALedgerEntry(Store store) throws Exception {
        withLedger(store, (ledger, accounts, db) -> {
            String acc = accounts.create("h", "free", 10 * CENT).accountId();
            db.jdbi().useHandle(h -> h.execute("UPDATE accounts SET free_balance = free_balance - 1, held = 5 WHERE id = ?", acc));
            assertThatThrownBy(() -> LedgerInvariants.check(db)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("entries add up to").hasMessageContaining("open holds add up to");
            db.jdbi().useHandle(h -> h.execute("UPDATE accounts SET free_balance = free_balance + 1, held = 0 WHERE id = ?", acc));
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void aRefusalInAGroupedCommitFailsOnlyItsOwnCaller(Store store) throws Exception {
        aRefusalInABatchFailsOnlyItsOwnCaller(store, "grouped");
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void aRefusalInALeaderFollowerBatchFailsOnlyItsOwnCaller(Store store) throws Exception {
        aRefusalInABatchFailsOnlyItsOwnCaller(store, "authority");
    }

    private static void aRefusalInABatchFailsOnlyItsOwnCaller(Store store, String commits) throws Exception {
        withLedger(store, commits, (ledger, accounts, db) -> {
            String acc = accounts.create("i", "free", 0).accountId();
            ledger.grant(acc, 50 * CENT, Ledger.CreditKind.PAID, "top-up", EntryKind.GRANT, null);
            AtomicInteger refused = new AtomicInteger();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 40; i++) {
                    int n = i;
                    pool.submit(() -> {
                        try {
                            if (n % 4 == 0) {
                                // a correction far below zero is refused inside the batch it lands in
                                ledger.grant(acc, -1000 * CENT, Ledger.CreditKind.PAID, "bad-" + n, EntryKind.CORRECTION, null);
                            } else {
                                ledger.settle(ledger.holdCall(acc, "call-" + n, CENT, 60_000), CENT, "m");
                            }
                        } catch (BillingException.BelowZero expected) {
                            refused.incrementAndGet();
                        }
                        return null;
                    });
                }
            }
            assertThat(refused.get()).isEqualTo(10);
            assertThat(ledger.balance(acc)).isEqualTo(new Balance(20 * CENT, 0, 0));
        });
    }
}
