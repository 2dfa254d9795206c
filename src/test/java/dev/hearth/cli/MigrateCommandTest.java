package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.HearthApp;
import dev.hearth.TestBucket;
import dev.hearth.TestDatabases;
import dev.hearth.billing.Balance;
import dev.hearth.config.ConfigLoader;
import dev.hearth.it.HearthServer;
import dev.hearth.storage.Storage;
import dev.hearth.storage.StoredObject;
import dev.hearth.storage.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code hearth migrate} moves an embedded install (SQLite + files) into PostgreSQL and a bucket (S3Proxy on
 * loopback): the report's counts and checksums match, a gateway started on the target serves the same account,
 * key, balance and files and can write new ledger rows (identities moved past the copied ids), and a second run
 * against the now non-empty target is refused without writing anything.
 */
class MigrateCommandTest {

    @TempDir
    Path source;
    @TempDir
    Path target;
    @TempDir
    Path objects;

    @Test
    void anEmbeddedInstallMovesIntoPostgresAndTheBucketVerifiedAndOnlyOnce() throws Exception {
        TestDatabases.requirePostgres();
        // an embedded install with an account, money moved, an upload and a model output
        CliRun created = CliRun.hearth(source, "accounts", "create", "--name", "moving", "--plan", "pro", "--free-credits", "0.5");
        assertThat(created.code()).as(created.err()).isZero();
        String accountId = created.json().get("account_id").asText();
        String key = created.json().get("api_key").asText();
        assertThat(CliRun.hearth(source, "credits", accountId, "12.5", "--kind", "paid", "--reference", "invoice-1").code()).isZero();
        byte[] png = TestImages.png(30, 20);
        byte[] output = TestImages.png(12, 12);
        StoredObject asset;
        StoredObject out;
        Balance before;
        try (HearthApp app = new HearthApp(ConfigLoader.load(null, Map.of(), Map.of("data_dir", source.toString())))) {
            asset = app.storage.upload(accountId, List.of(new Storage.Upload("$.data_urls[0]", png, "image/png"))).get(0);
            out = app.storage.saveOutput(accountId, output, "image/png");
            before = app.ledger.balance(accountId);
        }

        String schema = TestDatabases.freshSchema();
        try (TestBucket bucket = new TestBucket(objects)) {
            Map<String, String> cluster = new HashMap<>(TestDatabases.postgresOverrides(schema));
            cluster.putAll(bucket.overrides("migrated", ""));
            Path config = target.resolve("cluster.yaml");
            Files.writeString(config, nested(cluster));

            CliRun moved = CliRun.hearth(target, "migrate", "--from", source.toString(), "--config", config.toString());
            assertThat(moved.code()).as(moved.err()).isZero();
            JsonNode report = moved.json();
            assertThat(report.get("verified").asBoolean()).isTrue();
            assertThat(report.at("/tables/accounts/rows").asLong()).isEqualTo(1);
            assertThat(report.at("/tables/api_keys/rows").asLong()).isEqualTo(1);
            assertThat(report.at("/tables/ledger_entries/rows").asLong()).isGreaterThanOrEqualTo(2);
            assertThat(report.at("/tables/assets/rows").asLong()).isEqualTo(2);
            assertThat(report.at("/tables/assets/sha256").asText()).hasSize(64);
            assertThat(report.at("/blobs/count").asLong()).isEqualTo(2);
            assertThat(report.at("/blobs/bytes").asLong()).isEqualTo(png.length + output.length);
            assertThat(Files.readAllBytes(bucket.folder("migrated").resolve(asset.id()))).isEqualTo(png);

            try (HearthServer gateway = HearthServer.start(HearthServer.Store.SQLITE, cluster, Map.of())) {
                assertThat(gateway.app.ledger.balance(accountId)).isEqualTo(before);
                assertThat(gateway.app.ledger.ledgerSum(accountId)).isEqualTo(before.total());
                HearthServer.Reply credits = gateway.get("/v1/get-user-credits", key);
                assertThat(credits.status()).as(credits.body()).isEqualTo(200);
                HttpClient http = HttpClient.newHttpClient();
                for (var f : Map.of(asset, png, out, output).entrySet()) {
                    HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(URI.create(f.getKey().url(gateway.base))).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    assertThat(got.statusCode()).isEqualTo(200);
                    assertThat(got.body()).isEqualTo(f.getValue());
                }
                // new rows get fresh ids after the copied ones
                assertThat(gateway.grant(accountId, "1", "paid", "after-the-move").status()).isEqualTo(200);
                assertThat(gateway.app.ledger.balance(accountId).paid()).isEqualTo(before.paid() + 1_000_000_000L);

                long entries = gateway.app.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ledger_entries").mapTo(Long.class).one());
                CliRun again = CliRun.hearth(target, "migrate", "--from", source.toString(), "--config", config.toString());
                assertThat(again.code()).isEqualTo(1);
                assertThat(again.err()).contains("not empty");
                long entriesAfter = gateway.app.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ledger_entries").mapTo(Long.class).one());
                assertThat(entriesAfter).isEqualTo(entries);
            }

            // the target configuration must name PostgreSQL and a bucket
            Path sqliteTarget = target.resolve("embedded.yaml");
            Files.writeString(sqliteTarget, nested(bucket.overrides("other", "")));
            CliRun refused = CliRun.hearth(target.resolve("t2"), "migrate", "--from", source.toString(), "--config", sqliteTarget.toString());
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("PostgreSQL");
            CliRun noSource = CliRun.hearth(target, "migrate", "--from", target.resolve("nowhere").toString(), "--config", config.toString());
            assertThat(noSource.err()).contains("no embedded install");
        } finally {
            try (var c = java.sql.DriverManager.getConnection(TestDatabases.PG_URL, TestDatabases.PG_USER, "");
                 var st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    /** Dotted keys as a nested YAML mapping (values quoted). */
    static String nested(Map<String, String> dotted) {
        com.fasterxml.jackson.databind.node.ObjectNode root = dev.hearth.http.Json.object();
        dotted.forEach((k, v) -> {
            String[] parts = k.split("\\.");
            com.fasterxml.jackson.databind.node.ObjectNode at = root;
            for (int i = 0; i < parts.length - 1; i++) at = at.with(parts[i]);
            at.put(parts[parts.length - 1], v);
        });
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).writeValueAsString(root);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
