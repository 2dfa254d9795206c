package dev.hearth.it;

import dev.hearth.storage.StoredObject;
import dev.hearth.storage.TestImages;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Model outputs kept for a short retention (2 s here): served by URL while they live, then deleted by the sweeper
 * running inside the server, bytes and all, after which the URL is 404. On SQLite and PostgreSQL.
 */
class OutputSweeperIT {

    @ParameterizedTest
    @EnumSource(HearthServer.Store.class)
    void expiredOutputsAreDeletedAndTheirUrlsThen404(HearthServer.Store store) throws Exception {
        try (HearthServer server = HearthServer.start(store, Map.of("storage.output_retention", "2s", "storage.sweep_interval", "200ms"), Map.of())) {
            String accountId = server.createAccount("outputs", "free", "1").get("account_id").asText();
            String key = server.createAccount("x", "free", "1").get("api_key").asText();
            byte[] png = TestImages.png(32, 32);
            StoredObject out = server.app.storage.saveOutput(accountId, png, "image/png");
            String url = out.url(server.base);
            assertThat(url).startsWith(server.base + "/outputs/").endsWith(".png");

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> live = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).isEqualTo(png);
            assertThat(live.headers().firstValue("content-type")).hasValue("image/png");
            // an output is not an asset
            assertThat(server.get("/assets/" + out.id() + ".png", key).status()).isEqualTo(404);

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !server.app.storage.blobExists(out.id()));
            HttpResponse<String> gone = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(gone.body()).contains("Output " + out.id() + " not found");
            assertThat(server.app.storage.list(accountId, null, 10, 0)).isEmpty();
        }
    }
}
