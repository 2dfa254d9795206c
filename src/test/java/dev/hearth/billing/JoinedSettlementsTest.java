package dev.hearth.billing;

import dev.hearth.billing.LedgerTest.Store;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.hearth.billing.AccountAuthorityTest.hammer;
import static dev.hearth.billing.AccountAuthorityTest.withDatabase;
import static dev.hearth.billing.LedgerTest.CENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Calls' settlements joined into one batch on the commit leader's cached statements ({@link CachedStatements}),
 * on SQLite and PostgreSQL: a batch that fails after its entries were added (a request id charged twice hits the
 * unique index) rolls back, each of its settlements runs again on its own, and the batches after it run on fresh
 * statements, so nothing of the failed batch is applied twice or lost. {@link LedgerInvariants} are checked after.
 */
class JoinedSettlementsTest {

    /** How many charge entries request {@code requestId} has. */
    private static int charges(dev.hearth.store.Database db, String requestId) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'charge' AND request_id = :r")
                .bind("r", requestId).mapTo(Integer.class).one());
    }

    /**
     * Keeps the commit leader busy while {@code holds} are settled (of {@code cost} each) by one thread each, queued
     * in this order, then lets them go as one batch. Returns how many cents were charged and how many settlements failed.
     */
    private static int[] settleAsOneBatch(LedgerCommits.LeaderFollower commits, Ledger ledger, List<CreditHold> holds) throws Exception {
        CountDownLatch leading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread leader = Thread.ofPlatform().start(() -> commits.run(h -> {
            leading.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        assertThat(leading.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicInteger charged = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Thread> settling = new ArrayList<>();
        for (CreditHold hold : holds) {
            int queued = settling.size();
            settling.add(Thread.ofPlatform().start(() -> {
                try {
                    charged.addAndGet((int) (ledger.settle(hold, CENT, "m").charged() / CENT));
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                }
            }));
            // one at a time, so the batch has them in this order
            long deadline = System.currentTimeMillis() + 10_000;
            while (commits.waiting() < queued + 1 && System.currentTimeMillis() < deadline) Thread.sleep(2);
            assertThat(commits.waiting()).isEqualTo(queued + 1);
        }
        release.countDown();
        leader.join();
        for (Thread t : settling) t.join();
        return new int[]{charged.get(), failed.get()};
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void aJoinedBatchThatFailsIsSettledOneByOneAndTheNextBatchesRunOnFreshStatements(Store store) throws Exception {
        withDatabase(store, (db, accounts) -> {
            String acc = accounts.create("a", "free", 100 * CENT).accountId();
            LedgerCommits.LeaderFollower commits = (LedgerCommits.LeaderFollower) LedgerCommits.of("authority", db.jdbi());
            try (Ledger ledger = new Ledger(db, Clock.systemUTC(), commits, "n1")) {
                // two calls under one request id (a caller's bug): the second charge must fail, the others not
                List<CreditHold> holds = List.of(ledger.holdCall(acc, "dup", CENT, 60_000), ledger.holdCall(acc, "ok-1", CENT, 60_000),
                        ledger.holdCall(acc, "dup", CENT, 60_000), ledger.holdCall(acc, "ok-2", CENT, 60_000));
                int[] outcome = settleAsOneBatch(commits, ledger, holds);
                assertThat(outcome[0]).as("charged").isEqualTo(3);
                assertThat(outcome[1]).as("failed").isEqualTo(1);
                assertThat(charges(db, "dup")).isEqualTo(1);
                assertThat(charges(db, "ok-1")).isEqualTo(1);
                assertThat(charges(db, "ok-2")).isEqualTo(1);
                assertThat(ledger.balance(acc).total()).isEqualTo(97 * CENT);

                // a settlement that fails alone, then more: none of the failed work is replayed
                CreditHold again = ledger.holdCall(acc, "ok-1", CENT, 60_000);
                assertThatThrownBy(() -> ledger.settle(again, CENT, "m")).isInstanceOf(RuntimeException.class);
                assertThat(hammer(ledger, acc, "after", 4, 10)).isEqualTo(40);
                assertThat(ledger.balance(acc).total()).isEqualTo(57 * CENT);
                assertThat(ledger.ledgerSum(acc)).isEqualTo(57 * CENT);
                assertThat(charges(db, "ok-1")).isEqualTo(1);
            }
            int all = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'charge'")
                    .mapTo(Integer.class).one());
            assertThat(all).isEqualTo(43);
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void aBatchRolledBackAfterOneAccountsEntriesWereAddedChargesThatAccountOnce(Store store) throws Exception {
        withDatabase(store, (db, accounts) -> {
            String a = accounts.create("a", "free", 10 * CENT).accountId();
            String b = accounts.create("b", "free", 10 * CENT).accountId();
            LedgerCommits.LeaderFollower commits = (LedgerCommits.LeaderFollower) LedgerCommits.of("authority", db.jdbi());
            try (Ledger ledger = new Ledger(db, Clock.systemUTC(), commits, "n1")) {
                CreditHold first = ledger.holdCall(a, "a-1", CENT, 60_000);
                CreditHold second = ledger.holdCall(b, "b-1", CENT, 60_000);
                // b's allocation is released behind the node's back, as the sweeper does once it expired: the batch
                // fails at b, after a's entry was added to the insert, and rolls back
                db.jdbi().useHandle(h -> {
                    long amount = h.createQuery("SELECT amount FROM credit_holds WHERE id = :id").bind("id", second.allocationId())
                            .mapTo(Long.class).one();
                    h.createUpdate("UPDATE credit_holds SET state = :voided WHERE id = :id")
                            .bind("voided", HoldState.VOIDED.column()).bind("id", second.allocationId()).execute();
                    h.createUpdate("UPDATE accounts SET held = held - :a WHERE id = :id").bind("a", amount).bind("id", b).execute();
                });
                int[] outcome = settleAsOneBatch(commits, ledger, List.of(first, second));
                // each on its own then: a from its allocation, b from its free balance
                assertThat(outcome[0]).as("charged").isEqualTo(2);
                assertThat(outcome[1]).as("failed").isZero();
                assertThat(hammer(ledger, a, "a-more", 4, 2)).isEqualTo(8);
                assertThat(charges(db, "a-1")).isEqualTo(1);
                assertThat(charges(db, "b-1")).isEqualTo(1);
                assertThat(ledger.ledgerSum(a)).isEqualTo(CENT);
                assertThat(ledger.ledgerSum(b)).isEqualTo(9 * CENT);
            }
        });
    }
}
