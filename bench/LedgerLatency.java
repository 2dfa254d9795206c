import dev.hearth.accounts.Accounts;
import dev.hearth.billing.CreditHold;
import dev.hearth.billing.Ledger;
import dev.hearth.config.ConfigLoader;
import dev.hearth.config.HearthConfig;
import dev.hearth.store.Database;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One caller's view of the ledger on SQLite (the embedded default): a balance read, a hold and a post, one after
 * another on a virtual thread, 4,000 times; the first 1,000 warm up. Prints p50 / p99 of each step.
 * Run from the repository root after a package: bench/ledger-latency.sh
 */
public class LedgerLatency {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("hearth-ledger-latency");
        HearthConfig cfg = ConfigLoader.load(null, Map.of(), Map.of("data_dir", dir.toString()));
        Database db = Database.open(cfg);
        Ledger ledger = new Ledger(db, Clock.systemUTC());
        String account = new Accounts(db, ledger, Clock.systemUTC()).create("bench", "pro", 1_000_000_000_000L).accountId();
        int n = 4000;
        long[] read = new long[n], hold = new long[n], post = new long[n];
        Thread t = Thread.ofVirtual().unstarted(() -> {
            for (int i = 0; i < n; i++) {
                try {
                    long t0 = System.nanoTime();
                    ledger.balance(account);
                    long t1 = System.nanoTime();
                    CreditHold h = ledger.hold(account, "bench-" + i, 1000, 60_000);
                    long t2 = System.nanoTime();
                    ledger.post(h, 500, "bench");
                    long t3 = System.nanoTime();
                    read[i] = t1 - t0;
                    hold[i] = t2 - t1;
                    post[i] = t3 - t2;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        t.start();
        t.join();
        String[] names = {"balance read", "hold (1 write tx)", "post (1 write tx)"};
        List<long[]> all = List.of(read, hold, post);
        for (int k = 0; k < 3; k++) {
            long[] s = Arrays.copyOfRange(all.get(k), 1000, n);
            Arrays.sort(s);
            System.out.printf("%-18s p50 %.3f ms  p99 %.3f ms%n", names[k], s[s.length / 2] / 1e6, s[s.length * 99 / 100] / 1e6);
        }
        db.close();
        System.exit(0);
    }
}
