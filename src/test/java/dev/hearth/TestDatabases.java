package dev.hearth;


import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Where tests find PostgreSQL: HEARTH_TEST_PG_URL (default the loopback server with database "test", user
 * postgres). Each test run takes a fresh schema and drops it after. Under CI (CI=true) an unreachable
 * PostgreSQL fails the test; on a laptop without one the PostgreSQL variants are skipped, loudly.
 */
public final class TestDatabases {

    public static final String PG_URL = System.getenv().getOrDefault("HEARTH_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String PG_USER = System.getenv().getOrDefault("HEARTH_TEST_PG_USER", "postgres");

    private TestDatabases() {
    }

    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Fails under CI, skips elsewhere, when PostgreSQL cannot be reached. */
    public static void requirePostgres() {
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, "")) {
            c.isValid(2);
        } catch (Exception e) {
            String msg = "PostgreSQL at " + PG_URL + " is not reachable (" + e.getMessage() + ")";
            LoudSkip.unavailable("PostgreSQL", msg, e);
        }
    }

    public static String freshSchema() {
        return "hearth_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    }

    /** Config overrides that point Hearth at a private PostgreSQL schema. */
    public static Map<String, String> postgresOverrides(String schema) {
        return Map.of("database.url", PG_URL, "database.user", PG_USER, "database.schema", schema);
    }
}
