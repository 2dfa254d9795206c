package dev.hearth.bench;

import dev.hearth.accounts.Accounts;
import dev.hearth.billing.CreditHold;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.LedgerCommits;
import dev.hearth.billing.Settlement;
import dev.hearth.config.ConfigLoader;
import dev.hearth.store.Database;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The ledger alone: one model call's money, a hold of its worst case then the settlement of its actual cost,
 * as {@code JobEngine} does it, all on one busy account (the case where every call updates the same row).
 * {@code commits} picks how the changes reach the database: {@code per_step} (one transaction per hold and per
 * settlement, the older way, the baseline), {@code grouped} (one writer thread commits whatever is waiting in one
 * transaction) or {@code authority} (the hold decided in memory against this node's allocation, the settlement
 * group-committed on the caller's own thread, see {@code AccountAuthority}). Run with {@code -t 1} and {@code -t 8} (bench/ledger-jmh.sh): throughput in charged calls/s,
 * and the sample mode's percentiles for one hold + settle. Durability is the default one
 * (SQLite synchronous=NORMAL, PostgreSQL synchronous_commit=on).
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
@State(Scope.Benchmark)
public class LedgerBench {

    /** sqlite, or postgresql (HEARTH_BENCH_PG_URL, default the loopback server's database "test", user postgres). */
    @Param({"sqlite"})
    public String store;

    /** authority (the default: holds in memory, leader/follower group commit), grouped, or per_step (the baseline). */
    @Param({"per_step", "grouped", "authority"})
    public String commits;

    Path dataDir;
    Database db;
    Ledger ledger;
    String accountId;
    final String run = UUID.randomUUID().toString().substring(0, 8);
    final AtomicLong calls = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dataDir = Files.createTempDirectory("hearth-ledger-bench");
        Map<String, String> o = new HashMap<>();
        o.put("data_dir", dataDir.toString());
        if (store.equals("postgresql")) {
            o.put("database.url", System.getenv().getOrDefault("HEARTH_BENCH_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test"));
            o.put("database.user", "postgres");
            o.put("database.schema", "hearth_bench_" + run.toLowerCase(Locale.ROOT).replace("-", ""));
        }
        db = Database.open(ConfigLoader.load(null, Map.of(), o));
        ledger = new Ledger(db, Clock.systemUTC(), LedgerCommits.of(commits, db.jdbi()));
        // a million dollars of free credits: each call charges one nano-dollar of its ten held
        accountId = new Accounts(db, ledger, Clock.systemUTC()).create("bench", "free", 1_000_000_000_000_000L).accountId();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        ledger.close();
        long charged = calls.get();
        long balance = ledger.balance(accountId).total();
        if (ledger.ledgerSum(accountId) != balance) throw new IllegalStateException("ledger sum differs from the balance");
        if (store.equals("postgresql")) db.dropSchema();
        db.close();
        try (Stream<Path> s = Files.walk(dataDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        System.out.println("\ncharged " + charged + " calls; balance and ledger agree");
    }

    @Benchmark
    public Settlement holdAndSettle() {
        String requestId = run + "-" + calls.incrementAndGet();
        CreditHold hold = ledger.holdCall(accountId, requestId, 10, 600_000);
        return ledger.settle(hold, 1, "bench");
    }
}
