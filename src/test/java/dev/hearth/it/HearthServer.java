package dev.hearth.it;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.HearthApp;
import dev.hearth.TestDatabases;
import dev.hearth.billing.LedgerInvariants;
import dev.hearth.config.ConfigLoader;
import dev.hearth.http.Json;
import dev.hearth.runners.RunnerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Hearth listening on a free port, on SQLite in a temp folder or on a private PostgreSQL schema,
 * with a known admin key. Tests speak HTTP to it like any client, and read the database through the app.
 */
public final class HearthServer implements AutoCloseable {

    public static final String ADMIN_KEY = "SG_testAdminKey" + "0".repeat(20);

    public final HearthApp app;
    public final String base;
    private final Path dataDir;
    private final String pgSchema;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** How this Hearth was started, so {@link #restart()} can start it again on the same data. */
    private record Setup(Map<String, String> overrides, Map<String, RunnerFactory> extraRunners, java.util.function.Function<String, String> env) {
    }

    private final Setup setup;

    private HearthServer(HearthApp app, String base, Path dataDir, String pgSchema, Setup setup) {
        this.app = app;
        this.base = base;
        this.dataDir = dataDir;
        this.pgSchema = pgSchema;
        this.setup = setup;
    }

    /**
     * Stops this Hearth gracefully (as on SIGTERM) and starts a new one on the same data folder and database,
     * on a new port; use the returned server from then on, and close only it.
     */
    public HearthServer restart() {
        app.close();
        HearthApp next = new HearthApp(ConfigLoader.load(null, Map.of(), setup.overrides()), setup.extraRunners(), setup.env());
        int port = next.serve();
        return new HearthServer(next, "http://127.0.0.1:" + port, dataDir, pgSchema, setup);
    }

    public enum Store { SQLITE, POSTGRESQL }

    public static HearthServer start(Store store) {
        return start(store, Map.of(), Map.of());
    }

    public static HearthServer start(Store store, Map<String, String> overrides, Map<String, RunnerFactory> extraRunners) {
        return start(store, overrides, extraRunners, System::getenv);
    }

    /** With the environment that catalog entries read their API keys and base URLs from. */
    public static HearthServer start(Store store, Map<String, String> overrides, Map<String, RunnerFactory> extraRunners,
                                     java.util.function.Function<String, String> env) {
        try {
            Path dir = Files.createTempDirectory("hearth-it");
            Map<String, String> o = new HashMap<>(overrides);
            o.put("data_dir", dir.toString());
            o.put("server.port", "0");
            o.put("server.host", "127.0.0.1");
            o.put("admin.key", ADMIN_KEY);
            String schema = null;
            if (store == Store.POSTGRESQL) {
                TestDatabases.requirePostgres();
                schema = TestDatabases.freshSchema();
                o.putAll(TestDatabases.postgresOverrides(schema));
            }
            HearthApp app = new HearthApp(ConfigLoader.load(null, Map.of(), o), extraRunners, env);
            int port = app.serve();
            return new HearthServer(app, "http://127.0.0.1:" + port, dir, schema, new Setup(Map.copyOf(o), extraRunners, env));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An HTTP answer: status, headers and body text. */
    public record Reply(int status, java.net.http.HttpHeaders headers, String body) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    public Reply send(String method, String path, String key, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(300));
        if (key != null) b.header("x-api-key", key);
        if (contentType != null) b.header("Content-Type", contentType);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Reply post(String path, String key, Object body) {
        return send("POST", path, key, "application/json", body instanceof String s ? s : Json.text(body));
    }

    public Reply get(String path, String key) {
        return send("GET", path, key, null, null);
    }

    /** An account made through the admin API; returns {@code account_id} and {@code api_key}. */
    public JsonNode createAccount(String name, String plan, String freeCredits) {
        ObjectNode body = Json.object().put("name", name).put("plan", plan);
        if (freeCredits != null) body.put("free_credits", new java.math.BigDecimal(freeCredits));
        Reply r = post("/admin/accounts", ADMIN_KEY, body);
        if (r.status() != 200) throw new AssertionError("creating an account failed: " + r.status() + " " + r.body());
        return r.json();
    }

    public Reply grant(String accountId, String amount, String kind, String reference) {
        return post("/admin/accounts/" + accountId + "/credits", ADMIN_KEY,
                Json.object().put("amount", new java.math.BigDecimal(amount)).put("kind", kind).put("reference", reference));
    }

    @Override
    public void close() {
        try {
            // every test that moved money through this server leaves the ledger consistent
            LedgerInvariants.check(app.db);
        } finally {
            closeWithoutChecks();
        }
    }

    private void closeWithoutChecks() {
        try {
            app.close();
        } finally {
            if (pgSchema != null) dropSchema();
            deleteQuietly(dataDir);
        }
    }

    private void dropSchema() {
        try (var c = java.sql.DriverManager.getConnection(TestDatabases.PG_URL, TestDatabases.PG_USER, "");
             var st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + pgSchema + " CASCADE");
        } catch (Exception e) {
            System.err.println("could not drop test schema " + pgSchema + ": " + e);
        }
    }

    /**
     * Writes the built-in catalog entry {@code slug} into {@code catalogDir} with a 2 s idle timeout instead of its
     * own, so a test sees the model unload and boot again without waiting minutes.
     */
    static void writeQuicklyIdleEntry(Path catalogDir, String slug) throws IOException {
        String entry;
        try (var in = HearthServer.class.getResourceAsStream("/models/" + slug + ".yaml")) {
            entry = new String(in.readAllBytes());
        }
        if (!entry.contains("idle_timeout: 300")) throw new IllegalStateException(slug + ".yaml no longer says idle_timeout: 300");
        Files.writeString(catalogDir.resolve(slug + ".yaml"), entry.replace("idle_timeout: 300", "idle_timeout: 2"));
    }

    static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp folder; nothing to do
        }
    }

    /** Polls {@code GET /workflows/request/{id}} until the run has ended (COMPLETED or FAILED); its last answer. */
    public JsonNode finishedWorkflowRun(String key, String requestId) {
        JsonNode[] last = new JsonNode[1];
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = get("/workflows/request/" + requestId, key).json();
            return !java.util.List.of("QUEUED", "PROCESSING").contains(last[0].path("status").asText());
        });
        return last[0];
    }
}
