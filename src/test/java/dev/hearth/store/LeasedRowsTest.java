package dev.hearth.store;

import dev.hearth.TestDatabases;
import dev.hearth.config.ConfigLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leases on the jobs table, on SQLite and PostgreSQL, with time passed in: a live owner's renewed rows are never
 * claimed; lapsed rows are claimed by exactly one of several nodes sweeping at once; finished rows are never
 * claimed; a released row is claimable at once.
 */
class LeasedRowsTest {

    enum Store { SQLITE, POSTGRESQL }

    interface Body {
        void run(Database db, LeasedRows leases) throws Exception;
    }

    static void withJobs(Store store, Body body) throws Exception {
        Map<String, String> o = new HashMap<>();
        o.put("data_dir", Files.createTempDirectory("hearth-leases").toString());
        if (store == Store.POSTGRESQL) {
            TestDatabases.requirePostgres();
            o.putAll(TestDatabases.postgresOverrides(TestDatabases.freshSchema()));
        }
        try (Database db = Database.open(ConfigLoader.load(null, Map.of(), o))) {
            try {
                body.run(db, new LeasedRows(db, "jobs", "node_id", "submitted_at", 30_000));
            } finally {
                if (store == Store.POSTGRESQL) db.dropSchema();
            }
        }
    }

    static void job(Database db, String id, String node, String status, long leaseUntil) {
        db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO jobs (id, account_id, model, node_id, status, params, hold_id, hold_amount, "
                        + "submitted_at, lease_until) VALUES (:id, 'acc', 'm', :node, :s, '{}', :id, 0, 1, :lease)")
                .bind("id", id).bind("node", node).bind("s", status).bind("lease", leaseUntil).execute());
    }

    static String owner(Database db, String id) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT node_id FROM jobs WHERE id = :id").bind("id", id).mapTo(String.class).one());
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void onlyLapsedUnfinishedRowsAreClaimedAndRenewalKeepsThem(Store store) throws Exception {
        withJobs(store, (db, leases) -> {
            long now = 1_000_000;
            job(db, "live", "a", "QUEUED", now + 10_000);
            job(db, "lapsed", "a", "PROCESSING", now - 1);
            job(db, "done", "a", "COMPLETED", 0);
            assertThat(leases.claimLapsed("b", now, 10)).containsExactly("lapsed");
            assertThat(owner(db, "lapsed")).isEqualTo("b");
            assertThat(owner(db, "live")).isEqualTo("a");
            assertThat(owner(db, "done")).isEqualTo("a");

            // a renews: still its own 20 s later; then it stops renewing and b takes it after the lease
            assertThat(leases.renew("a", now + 9_000)).isEqualTo(1);
            assertThat(leases.renew("b", now + 15_000)).isEqualTo(1);
            assertThat(leases.claimLapsed("b", now + 20_000, 10)).isEmpty();
            assertThat(leases.claimLapsed("b", now + 39_001, 10)).containsExactly("live");

            // released at a graceful stop: claimable at once
            job(db, "released", "c", "QUEUED", now + 30_000);
            assertThat(leases.release("c")).isEqualTo(1);
            assertThat(leases.claimLapsed("b", now, 10)).containsExactly("released");
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void anIdleNodeTakesOnlyRowsThatWaitedQueuedOnAnotherNode(Store store) throws Exception {
        withJobs(store, (db, leases) -> {
            long now = 1_000_000;
            job(db, "waiting", "busy", "QUEUED", now + 30_000);      // submitted_at = 1
            job(db, "running", "busy", "PROCESSING", now + 30_000);
            job(db, "mine", "idle", "QUEUED", now + 30_000);
            assertThat(leases.claimWaiting("idle", 1, now, 10)).as("none queued before t=1").isEmpty();
            assertThat(leases.claimWaiting("idle", 2, now, 10)).containsExactly("waiting");
            assertThat(owner(db, "waiting")).isEqualTo("idle");
            assertThat(owner(db, "running")).isEqualTo("busy");
            assertThat(leases.claimWaiting("idle", 2, now, 10)).isEmpty();
        });
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void nodesSweepingAtOnceClaimEachRowOnce(Store store) throws Exception {
        withJobs(store, (db, leases) -> {
            for (int i = 0; i < 60; i++) job(db, "j" + i, "dead", "QUEUED", 0);
            List<String> all = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch go = new CountDownLatch(1);
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                List<Future<?>> sweeps = new ArrayList<>();
                for (int n = 0; n < 4; n++) {
                    String node = "n" + n;
                    sweeps.add(pool.submit(() -> {
                        go.await();
                        for (List<String> got; !(got = leases.claimLapsed(node, 5_000, 7)).isEmpty(); ) all.addAll(got);
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : sweeps) f.get();
            }
            assertThat(all).hasSize(60);
            Set<String> unique = new HashSet<>(all);
            assertThat(unique).hasSize(60);
            long stillDead = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs WHERE node_id = 'dead'").mapTo(Long.class).one());
            assertThat(stillDead).isZero();
        });
    }
}
