package dev.hearth.it;

import dev.hearth.TestBucket;
import dev.hearth.TestDatabases;
import dev.hearth.TestRedis;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * A Hearth cluster as an operator runs one: N {@code hearth serve} processes on one PostgreSQL schema, one Redis
 * key prefix and one S3-compatible bucket (S3Proxy in the test JVM), behind Debian's nginx doing round-robin. Every
 * node starts from the same environment, so each generates its own node identity. Leases are short (3 s) so that
 * take-overs happen within a test. Under CI a missing nginx fails the test; elsewhere it is skipped, loudly.
 */
final class GatewayCluster implements AutoCloseable {

    static final String ADMIN = HearthServer.ADMIN_KEY;
    static final String NGINX = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";

    final Path dir;
    final String schema = TestDatabases.freshSchema();
    final String prefix = TestRedis.freshPrefix();
    final TestBucket bucket;
    final List<Process> nodes = new ArrayList<>();
    final List<Integer> ports = new ArrayList<>();
    final int proxyPort;
    Process nginx;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static void requireNginx() {
        boolean found;
        try {
            found = new ProcessBuilder(NGINX, "-v").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            found = false;
        }
        if (!found) {
            if (TestDatabases.ci()) throw new AssertionError("nginx is not installed; CI requires it (.ci/run installs Debian's package)");
            System.err.println("!!!!! SKIPPING cluster test: nginx is not installed !!!!!");
            org.junit.jupiter.api.Assumptions.abort("nginx is not installed");
        }
    }

    GatewayCluster(int size) throws Exception {
        TestDatabases.requirePostgres();
        TestRedis.requireRedis();
        requireNginx();
        dir = Files.createTempDirectory("hearth-cluster");
        bucket = new TestBucket(Files.createDirectories(dir.resolve("objects")));
        Path catalog = Files.createDirectories(dir.resolve("catalog"));
        // one slot per node and no batching, so queued v2 jobs wait on their node and a kill lands among them
        String bge = new String(getClass().getResourceAsStream("/models/bge-small-en-v1.5.yaml").readAllBytes()).replace("slots: 4", "slots: 1\n  max_batch: 1");
        Files.writeString(catalog.resolve("bge.yaml"), bge);
        proxyPort = freePort();
        for (int i = 0; i < size; i++) ports.add(freePort());
        startProxy();
        for (int i = 0; i < size; i++) nodes.add(null);
        for (int i = 0; i < size; i++) startNode(i);
    }

    String proxy() {
        return "http://127.0.0.1:" + proxyPort;
    }

    String node(int i) {
        return "http://127.0.0.1:" + ports.get(i);
    }

    void startNode(int i) throws Exception {
        Path data = Files.createDirectories(dir.resolve("node" + i));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.hearth.Hearth", "serve", "--port", String.valueOf(ports.get(i)), "--data", data.toString());
        Map<String, String> env = pb.environment();
        env.put("HEARTH_ADMIN_KEY", ADMIN);
        env.put("HEARTH_CATALOG_DIR", dir.resolve("catalog").toString());
        env.put("HEARTH_SERVER_HOST", "127.0.0.1");
        env.put("HEARTH_SERVER_PUBLIC_URL", proxy());
        // each node's connections are named, so that a test can wait for a killed node's backends to end
        env.put("HEARTH_DATABASE_URL", TestDatabases.PG_URL + (TestDatabases.PG_URL.contains("?") ? "&" : "?") + "ApplicationName=" + backendName(i));
        env.put("HEARTH_DATABASE_USER", TestDatabases.PG_USER);
        env.put("HEARTH_DATABASE_SCHEMA", schema);
        env.put("HEARTH_DATABASE_POOL_SIZE", "4");
        env.put("HEARTH_LIMITS_REDIS_URL", TestRedis.URL);
        env.put("HEARTH_LIMITS_KEY_PREFIX", prefix);
        env.put("HEARTH_LIMITS_READ_REQUESTS_PER_MINUTE", "1000000");
        env.put("HEARTH_JOBS_LEASE_SECONDS", "3");
        env.put("HEARTH_LOGGING_ACCESS_LOG", "false");
        env.putAll(bucket.env("cluster", "it"));
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node" + i + ".log").toFile()));
        nodes.set(i, pb.start());
        String base = node(i);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> get(base + "/health/ready", null).statusCode() == 200);
    }

    /** SIGKILL: no shutdown hook, no drain, no lease released. */
    /**
     * SIGKILL, then waits until PostgreSQL has ended every backend of the node. A backend that had already received
     * the dead process's COMMIT still carries it out (under load that can take seconds); only once the backends are
     * gone is the database's view of the dead node's work final.
     */
    void kill(int i) throws Exception {
        nodes.get(i).destroyForcibly().waitFor();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (java.sql.Connection db = db(); var rs = db.createStatement().executeQuery(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '" + backendName(i) + "'")) {
                return rs.next() && rs.getLong(1) == 0;
            }
        });
    }

    /** The name node {@code i} leases its work under, from its "Hearth is serving on ..." line. */
    String nodeName(int i) throws IOException {
        var m = java.util.regex.Pattern.compile("Hearth is serving on \\S+ \\(data in .*, node (\\S+)\\)")
                .matcher(Files.readString(dir.resolve("node" + i + ".log")));
        if (!m.find()) throw new AssertionError("node " + i + " did not print its name");
        return m.group(1);
    }

    private String backendName(int i) {
        return schema + "-node" + i;
    }

    private void startProxy() throws Exception {
        Path conf = dir.resolve("nginx.conf");
        Files.createDirectories(dir.resolve("nginx-tmp"));
        StringBuilder upstream = new StringBuilder();
        // a node that refuses connections (killed) is skipped for 2 s, then tried again
        for (int p : ports) upstream.append("    server 127.0.0.1:").append(p).append(" max_fails=1 fail_timeout=2s;\n");
        String user = "root".equals(System.getProperty("user.name")) ? "user root root;\n" : "";
        Files.writeString(conf, user + """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log warn;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/nginx-tmp/body;
                  proxy_temp_path %1$s/nginx-tmp/proxy;
                  fastcgi_temp_path %1$s/nginx-tmp/fastcgi;
                  uwsgi_temp_path %1$s/nginx-tmp/uwsgi;
                  scgi_temp_path %1$s/nginx-tmp/scgi;
                  client_max_body_size 64m;
                  upstream hearth {
                %2$s  }
                  server {
                    listen 127.0.0.1:%3$d;
                    location / {
                      proxy_pass http://hearth;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_set_header Host $http_host;
                      proxy_read_timeout 120s;
                      # a model call that reached a node is not sent again to another one (it may have been charged)
                      proxy_next_upstream error;
                    }
                  }
                }
                """.formatted(dir, upstream, proxyPort));
        nginx = new ProcessBuilder(NGINX, "-c", conf.toString(), "-p", dir.toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("nginx.out").toFile())).start();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> { try (var s = new java.net.Socket("127.0.0.1", proxyPort)) { return true; } });
    }

    HttpResponse<String> get(String url, String key) throws IOException, InterruptedException {
        return send("GET", url, key, null);
    }

    HttpResponse<String> send(String method, String url, String key, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120));
        if (key != null) b.header("x-api-key", key);
        if (json != null) b.header("Content-Type", "application/json");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Reads the shared schema directly, for ledger checks. */
    java.sql.Connection db() throws java.sql.SQLException {
        java.sql.Connection c = java.sql.DriverManager.getConnection(TestDatabases.PG_URL, TestDatabases.PG_USER, "");
        c.setSchema(schema);
        return c;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        for (Process p : nodes) if (p != null) p.destroyForcibly().waitFor();
        if (nginx != null) {
            // SIGTERM, not SIGKILL: a killed master leaves its worker behind, still listening, on every run
            nginx.destroy();
            if (!nginx.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) nginx.destroyForcibly().waitFor();
        }
        bucket.close();
        TestRedis.deleteKeys(TestRedis.URL, prefix);
        try (var c = java.sql.DriverManager.getConnection(TestDatabases.PG_URL, TestDatabases.PG_USER, ""); var st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        HearthServer.deleteQuietly(dir);
    }
}
