package dev.hearth.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.TestBucket;
import dev.hearth.TestDatabases;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
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
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateways on one PostgreSQL schema and one S3-compatible bucket (S3Proxy on loopback), as in cluster mode:
 * a file uploaded through A is served by B from its capability URL, a delete through B frees it for A, the upload
 * quota counts the account's files whichever gateway took them, and the retention sweep deletes expired outputs
 * from the bucket itself. Nothing lands in either gateway's data folder.
 */
class SharedBucketIT {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path objects;

    static Reply upload(HearthServer s, String key, byte[]... files) {
        ObjectNode body = Json.object();
        var urls = body.putArray("data_urls");
        for (byte[] f : files) urls.add(TestImages.dataUrl("image/png", f));
        return s.post("/v1/upload-asset", key, body);
    }

    static HttpResponse<byte[]> fetch(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void filesWrittenThroughOneGatewayAreServedQuotedAndSweptByTheOther() throws Exception {
        TestDatabases.requirePostgres();
        String schema = TestDatabases.freshSchema();
        try (TestBucket bucket = new TestBucket(objects)) {
            Map<String, String> shared = new HashMap<>(TestDatabases.postgresOverrides(schema));
            shared.putAll(bucket.overrides("hearth-files", "it"));
            shared.put("storage.max_account_bytes", "20000");
            shared.put("storage.output_retention", "2s");
            shared.put("storage.sweep_interval", "200ms");
            try (HearthServer a = HearthServer.start(HearthServer.Store.SQLITE, shared, Map.of());
                 HearthServer b = HearthServer.start(HearthServer.Store.SQLITE, shared, Map.of())) {
                var acc = a.createAccount("bucket", "free", "1");
                String key = acc.get("api_key").asText();
                String accountId = acc.get("account_id").asText();

                byte[] png = TestImages.png(40, 40);
                Reply up = upload(a, key, png);
                assertThat(up.status()).as(up.body()).isEqualTo(200);
                String urlOnA = up.json().get("urls").get(0).asText();
                String id = up.json().get("ids").get(0).asText();
                String urlOnB = urlOnA.replace(a.base, b.base);
                HttpResponse<byte[]> got = fetch(urlOnB);
                assertThat(got.statusCode()).isEqualTo(200);
                assertThat(got.body()).isEqualTo(png);
                assertThat(got.headers().firstValue("content-type")).hasValue("image/png");
                assertThat(Files.readAllBytes(bucket.folder("hearth-files").resolve("it").resolve(id))).isEqualTo(png);
                assertThat(b.get("/v1/assets", key).json().get("assets")).hasSize(1);

                // the quota is the account's, not the gateway's: what A took counts on B
                long used = png.length;
                byte[] filler = TestImages.png(60, 60);
                while (used + filler.length <= 20_000) {
                    Reply r = upload(used % 2 == 0 ? a : b, key, filler);
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    used += filler.length;
                }
                Reply over = upload(b, key, filler);
                assertThat(over.status()).as(over.body()).isEqualTo(413);
                assertThat(upload(a, key, filler).status()).isEqualTo(413);

                // deleted through B, gone for A and from the bucket
                assertThat(b.send("DELETE", "/v1/assets/" + id, key, null, null).status()).isEqualTo(200);
                assertThat(fetch(urlOnA).statusCode()).isEqualTo(404);
                assertThat(Files.exists(bucket.folder("hearth-files").resolve("it").resolve(id))).isFalse();

                // an output written by A is served by B, then swept from the bucket when it expires
                StoredObject out = a.app.storage.saveOutput(accountId, png, "image/png");
                assertThat(fetch(out.url(b.base)).body()).isEqualTo(png);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> !Files.exists(bucket.folder("hearth-files").resolve("it").resolve(out.id())));
                assertThat(fetch(out.url(a.base)).statusCode()).isEqualTo(404);

                // no gateway kept a copy on its own disk
                for (HearthServer s : new HearthServer[]{a, b}) {
                    Path blobs = Path.of(s.app.config.dataDir()).resolve("blobs");
                    assertThat(Files.exists(blobs)).as("local blob folder of " + s.base).isFalse();
                }
            } finally {
                try (var c = java.sql.DriverManager.getConnection(TestDatabases.PG_URL, TestDatabases.PG_USER, "");
                     var st = c.createStatement()) {
                    st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                }
            }
        }
    }
}
