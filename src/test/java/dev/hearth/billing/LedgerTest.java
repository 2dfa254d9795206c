package dev.hearth.billing;

import dev.hearth.TestDatabases;
import dev.hearth.accounts.Accounts;
import dev.hearth.config.ConfigLoader;
import dev.hearth.http.ApiException;
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
 * The ledger's rules, run unchanged on SQLite and on PostgreSQL: free credits first, holds that cannot
 * overdraw, idempotent post and release, grants idempotent by reference, corrections that never go below
 * zero, and the invariant balance == sum of ledger entries after everything.
 */
class LedgerTest {

    enum Store { SQLITE, POSTGRESQL }

    interface Body {
        void run(Ledger ledger, Accounts accounts) throws Exception;
    }

    static void withLedger(Store store, Body body) throws Exception {
        Map<String, String> o = new HashMap<>();
        o.put("data_dir", Files.createTempDirectory("hearth-ledger").toString());
        if (store == Store.POSTGRESQL) {
            TestDatabases.requirePostgres();
            o.putAll(TestDatabases.postgresOverrides(TestDatabases.freshSchema()));
        }
        try (Database db = Database.open(ConfigLoader.load(null, Map.of(), o))) {
            try {
                Ledger ledger = new Ledger(db, Clock.systemUTC());
                body.run(ledger, new Accounts(db, ledger, Clock.systemUTC()));
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
            ledger.grant(acc, 10 * CENT, Ledger.CreditKind.PAID, "r1", "grant", null);
            CreditHold h = ledger.hold(acc, "req-1", 5 * CENT, 60_000);
            assertThat(ledger.balance(acc).available()).isEqualTo(8 * CENT);
            Settlement s = ledger.post(h, 4 * CENT, "m");
            assertThat(s.charged()).isEqualTo(4 * CENT);
            assertThat(ledger.balance(acc)).isEqualTo(new Balance(9 * CENT, 0, 0));
            var charge = ledger.entries(acc, 1).getFirst();
            assertThat(charge.kind()).isEqualTo("charge");
            assertThat(charge.creditKind()).isEqualTo("mixed");
            assertThat(charge.freeAmount()).isEqualTo(-3 * CENT);
            assertThat(charge.paidAmount()).isEqualTo(-1 * CENT);
            assertThat(charge.requestId()).isEqualTo("req-1");
            assertThat(ledger.ledgerSum(acc)).isEqualTo(ledger.balance(acc).total());
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void holdsCannotOverdrawAndPostOrReleaseHappenOnce(Store store) throws Exception {
        withLedger(store, (ledger, accounts) -> {
            String acc = accounts.create("b", "free", 10 * CENT).accountId();
            CreditHold h1 = ledger.hold(acc, "r1", 6 * CENT, 60_000);
            assertThatThrownBy(() -> ledger.hold(acc, "r2", 6 * CENT, 60_000))
                    .isInstanceOfSatisfying(InsufficientCredits.class, e -> {
                        assertThat(e.available()).isEqualTo(4 * CENT);
                        assertThat(e.price()).isEqualTo(6 * CENT);
                    });
            // the actual cost is capped at the hold: a caller never pays more than the price it was shown
            assertThat(ledger.post(h1, 9 * CENT, "m").charged()).isEqualTo(6 * CENT);
            assertThat(ledger.post(h1, 6 * CENT, "m").charged()).isZero();
            ledger.release(h1);
            assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 4 * CENT, 0));
            CreditHold h2 = ledger.hold(acc, "r3", 4 * CENT, 60_000);
            ledger.release(h2);
            ledger.release(h2);
            assertThat(ledger.post(h2, 4 * CENT, "m").charged()).isZero();
            assertThat(ledger.balance(acc)).isEqualTo(new Balance(0, 4 * CENT, 0));
            assertThat(ledger.ledgerSum(acc)).isEqualTo(4 * CENT);
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void grantsAreIdempotentByReferenceAndCorrectionsNeverGoBelowZero(Store store) throws Exception {
        withLedger(store, (ledger, accounts) -> {
            String acc = accounts.create("c", "free", 0).accountId();
            GrantResult first = ledger.grant(acc, 5 * CENT, Ledger.CreditKind.PAID, "invoice-7", "grant", null);
            GrantResult again = ledger.grant(acc, 5 * CENT, Ledger.CreditKind.PAID, "invoice-7", "grant", null);
            assertThat(again.repeated()).isTrue();
            assertThat(again.entry().id()).isEqualTo(first.entry().id());
            assertThat(ledger.balance(acc).paid()).isEqualTo(5 * CENT);
            assertThatThrownBy(() -> ledger.grant(acc, 6 * CENT, Ledger.CreditKind.PAID, "invoice-7", "grant", null))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
            assertThatThrownBy(() -> ledger.grant(acc, -6 * CENT, Ledger.CreditKind.PAID, "fix-1", "correction", null))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(422));
            CreditHold h = ledger.hold(acc, "r", 4 * CENT, 60_000);
            // 5 paid, 4 held: taking 2 away would leave less than the running request may be charged
            assertThatThrownBy(() -> ledger.grant(acc, -2 * CENT, Ledger.CreditKind.PAID, "fix-2", "correction", null))
                    .isInstanceOf(ApiException.class);
            ledger.release(h);
            ledger.grant(acc, -2 * CENT, Ledger.CreditKind.PAID, "fix-3", "correction", null);
            assertThat(ledger.balance(acc).paid()).isEqualTo(3 * CENT);
            assertThat(ledger.ledgerSum(acc)).isEqualTo(3 * CENT);
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void concurrentHoldsNeverOverdraw(Store store) throws Exception {
        withLedger(store, (ledger, accounts) -> {
            String acc = accounts.create("d", "free", 25 * CENT).accountId();
            AtomicInteger held = new AtomicInteger();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 100; i++) {
                    int n = i;
                    pool.submit(() -> {
                        try {
                            CreditHold h = ledger.hold(acc, "r" + n, CENT, 60_000);
                            held.incrementAndGet();
                            ledger.post(h, CENT, "m");
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
}
