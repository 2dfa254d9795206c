package dev.hearth.billing;

import dev.hearth.TestClock;
import dev.hearth.TestDatabases;
import dev.hearth.accounts.Accounts;
import dev.hearth.billing.LedgerTest.Store;
import dev.hearth.config.ConfigLoader;
import dev.hearth.store.Database;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.hearth.billing.LedgerTest.CENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Calls' holds decided in memory against a node's allocation ({@link AccountAuthority}, the {@code authority}
 * setting), on SQLite and PostgreSQL: exact under many threads with a balance that covers only part of the
 * calls, exact with two nodes (two ledgers, two authorities) on one database, and a crashed node's allocation
 * released by the hold sweeper once expired. {@link LedgerInvariants} are checked after each.
 */
class AccountAuthorityTest {

    interface Body {
        void run(Database db, Accounts accounts) throws Exception;
    }

    static void withDatabase(Store store, Body body) throws Exception {
        Map<String, String> o = new HashMap<>();
        o.put("data_dir", Files.createTempDirectory("hearth-authority").toString());
        if (store == Store.POSTGRESQL) {
            TestDatabases.requirePostgres();
            o.putAll(TestDatabases.postgresOverrides(TestDatabases.freshSchema()));
        }
        try (Database db = Database.open(ConfigLoader.load(null, Map.of(), o))) {
            try {
                try (Ledger setup = new Ledger(db, Clock.systemUTC())) {
                    body.run(db, new Accounts(db, setup, Clock.systemUTC()));
                }
                LedgerInvariants.check(db);
            } finally {
                if (store == Store.POSTGRESQL) db.dropSchema();
            }
        }
    }

    static Ledger node(Database db, Clock clock, String name) {
        return new Ledger(db, clock, LedgerCommits.of("authority", db.jdbi()), name);
    }

    /** Each of {@code threads} threads tries {@code calls} hold + settle of one cent; returns how many were charged. */
    static int hammer(Ledger ledger, String acc, String prefix, int threads, int calls) throws InterruptedException {
        AtomicInteger charged = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            all.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < calls; i++) {
                        try {
                            CreditHold h = ledger.holdCall(acc, prefix + "-" + thread + "-" + i, CENT, 60_000);
                            charged.addAndGet((int) (ledger.settle(h, CENT, "m").charged() / CENT));
                        } catch (InsufficientCredits refused) {
                            // the balance (or what the database lets this node hold) is spent
                        }
                    }
                } catch (Throwable e) {
                    failures.incrementAndGet();
                    e.printStackTrace();
                }
            }));
        }
        start.countDown();
        for (Thread t : all) t.join();
        assertThat(failures.get()).as("unexpected errors").isZero();
        return charged.get();
    }

    static int openHoldsOfCalls(Database db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM credit_holds WHERE allocated_to IS NULL")
                .mapTo(Integer.class).one());
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void manyThreadsAreChargedExactlyTheCallsTheBalanceCovers(Store store) throws Exception {
        withDatabase(store, (db, accounts) -> {
            String acc = accounts.create("a", "free", 20 * CENT).accountId();
            try (Ledger ledger = node(db, Clock.systemUTC(), "n1")) {
                ledger.grant(acc, 30 * CENT, Ledger.CreditKind.PAID, "top-up", EntryKind.GRANT, null);
                int charged = hammer(ledger, acc, "r", 8, 40);
                assertThat(charged).isEqualTo(50);
                assertThatThrownBy(() -> ledger.holdCall(acc, "one-more", 1, 60_000)).isInstanceOf(InsufficientCredits.class);
                assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 0, 0));
                // free credits first: the twenty free cents were charged before any paid one
                assertThat(ledger.entries(acc, 100).stream().filter(e -> e.kind() == EntryKind.CHARGE && e.paidAmount() < 0).count())
                        .isEqualTo(30);
            }
            int charges = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'charge'")
                    .mapTo(Integer.class).one());
            assertThat(charges).isEqualTo(50);
            // not one hold of a call was written: they were all shares of the node's allocation
            assertThat(openHoldsOfCalls(db)).isZero();
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void aHoldInMemoryIsSettledOrVoidedOnceAndSpendsFromTheAllocation(Store store) throws Exception {
        withDatabase(store, (db, accounts) -> {
            String acc = accounts.create("b", "free", 10 * CENT).accountId();
            try (Ledger ledger = node(db, Clock.systemUTC(), "n1")) {
                CreditHold h = ledger.holdCall(acc, "req-1", 4 * CENT, 60_000);
                assertThat(h.inMemory()).isTrue();
                assertThat(ledger.balance(acc).available()).isEqualTo(6 * CENT);
                assertThat(ledger.settle(h, 3 * CENT, "m").charged()).isEqualTo(3 * CENT);
                assertThat(ledger.settle(h, 3 * CENT, "m").charged()).isZero();
                assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 7 * CENT, 0));
                CreditHold v = ledger.holdCall(acc, "req-2", 7 * CENT, 60_000);
                ledger.voidHold(v);
                ledger.voidHold(v);
                assertThat(ledger.settle(v, CENT, "m").charged()).isZero();
                assertThat(ledger.balance(acc).available()).isEqualTo(7 * CENT);
                // a hold on the database path (a v2 job) gets the credits the allocation holds unused
                CreditHold durable = ledger.hold(acc, "job-1", 7 * CENT, 60_000);
                assertThat(durable.inMemory()).isFalse();
                assertThatThrownBy(() -> ledger.holdCall(acc, "req-3", 1, 60_000)).isInstanceOf(InsufficientCredits.class);
                ledger.settle(durable, 7 * CENT, "m");
                assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 0, 0));
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void aCallThatHoldsNothingIsAdmittedEvenOnAnEmptyAccount(Store store) throws Exception {
        withDatabase(store, (db, accounts) -> {
            // a dedicated endpoint's call holds nothing (its worker time is billed by the tick), even at a zero balance
            String acc = accounts.create("z", "free", 0).accountId();
            try (Ledger ledger = node(db, Clock.systemUTC(), "n1")) {
                CreditHold h = ledger.holdCall(acc, "endpoint-call-1", 0, 60_000);
                assertThat(ledger.settle(h, 0, "endpoint").charged()).isZero();
                CreditHold again = ledger.holdCall(acc, "endpoint-call-2", 0, 60_000);
                ledger.voidHold(again);
                assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 0, 0));
                assertThatThrownBy(() -> ledger.holdCall(acc, "paid-call", 1, 60_000)).isInstanceOf(InsufficientCredits.class);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void twoNodesOnOneDatabaseNeverOverspendAndAnIdleNodeGivesItsAllocationBack(Store store) throws Exception {
        withDatabase(store, (db, accounts) -> {
            String acc = accounts.create("c", "free", 60 * CENT).accountId();
            TestClock clock = new TestClock();
            try (Ledger one = node(db, clock, "n1"); Ledger two = node(db, clock, "n2")) {
                AtomicInteger fromTwo = new AtomicInteger();
                Thread other = Thread.ofPlatform().start(() -> {
                    try {
                        fromTwo.set(hammer(two, acc, "two", 4, 20));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                int fromOne = hammer(one, acc, "one", 4, 20);
                other.join();
                int charged = fromOne + fromTwo.get();
                // 160 tries for 60 cents: never more than the balance, whatever the two nodes hold
                assertThat(charged).isBetween(1, 60);
                assertThat(one.ledgerSum(acc)).isEqualTo((60 - charged) * CENT);
                // both idle now: after a second without calls each gives back what it holds unused...
                clock.advance(Duration.ofMillis(AccountAuthority.IDLE_MILLIS + 100));
                long deadline = System.currentTimeMillis() + 5_000;
                while (one.balance(acc).held() + two.balance(acc).held() > 0 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                long held = db.jdbi().withHandle(h -> h.createQuery("SELECT held FROM accounts WHERE id = :id").bind("id", acc)
                        .mapTo(Long.class).one());
                assertThat(held).isZero();
                // ...so one node alone can spend the last cents, to exactly zero
                int rest = hammer(two, acc, "rest", 1, 100);
                assertThat(charged + rest).isEqualTo(60);
                assertThat(two.balance(acc).total()).isZero();
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void aCrashedNodesAllocationIsReleasedByTheSweeperOnceExpired(Store store) throws Exception {
        withDatabase(store, (db, accounts) -> {
            String acc = accounts.create("d", "free", 10 * CENT).accountId();
            TestClock clock = new TestClock();
            Ledger crashed = node(db, clock, "crashed");
            CreditHold h = crashed.holdCall(acc, "req-1", CENT, 60_000);
            crashed.settle(h, CENT, "m");
            crashed.holdCall(acc, "in-flight", CENT, 60_000);
            crashed.abandonAllocations();
            crashed.close();
            try (Ledger survivor = node(db, clock, "survivor")) {
                assertThat(survivor.balance(acc).held()).isPositive();
                assertThat(survivor.releaseExpiredHolds()).isZero();
                clock.advance(Duration.ofMillis(AccountAuthority.ALLOCATION_TTL_MILLIS + 1));
                assertThat(survivor.releaseExpiredHolds()).isEqualTo(1);
                // the answered call stays charged once; the call in flight when the node died is not charged
                assertThat(survivor.balance(acc)).isEqualTo(new Balance(0, 9 * CENT, 0));
                assertThat(hammer(survivor, acc, "s", 2, 10)).isEqualTo(9);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void aCallWhoseAllocationExpiredIsChargedOnlyFromFreeBalance(Store store) throws Exception {
        withDatabase(store, (db, accounts) -> {
            String acc = accounts.create("e", "free", 10 * CENT).accountId();
            TestClock clock = new TestClock();
            try (Ledger stalled = node(db, clock, "stalled")) {
                CreditHold h = stalled.holdCall(acc, "req-1", 2 * CENT, 10 * 60_000);
                // the node stalls past its allocation's time to live and a sweeper releases it
                clock.advance(Duration.ofMillis(AccountAuthority.ALLOCATION_TTL_MILLIS + 1));
                stalled.releaseExpiredHolds();
                assertThat(stalled.settle(h, CENT, "m").charged()).isEqualTo(CENT);
                // the next call takes a new allocation
                CreditHold next = stalled.holdCall(acc, "req-2", 9 * CENT, 60_000);
                assertThat(next.allocationId()).isNotEqualTo(h.allocationId());
                assertThat(stalled.settle(next, 9 * CENT, "m").charged()).isEqualTo(9 * CENT);
                assertThat(stalled.balance(acc)).isEqualTo(new Balance(0, 0, 0));
            }
        });
    }
}
