package dev.hearth.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.storage.TestImages;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-account storage quota holds under concurrent uploads, on SQLite and PostgreSQL: twelve simultaneous
 * uploads of 100 kB against a 400 kB quota store exactly four, and the account's stored bytes end at 400 kB.
 */
class UploadQuotaUnderLoadIT {

    @ParameterizedTest
    @EnumSource(HearthServer.Store.class)
    void concurrentUploadsNeverOvershootTheQuota(HearthServer.Store store) throws Exception {
        try (HearthServer server = HearthServer.start(store, Map.of("storage.max_account_bytes", "400000"), Map.of())) {
            var acc = server.createAccount("quota", "pro", "1");
            String key = acc.get("api_key").asText();
            byte[] item = new byte[100_000];
            item[0] = 9;   // unknown binary: only its size matters
            ObjectNode body = Json.object();
            body.putArray("data_urls").add(TestImages.dataUrl("application/octet-stream", item));
            String json = Json.text(body);

            CountDownLatch go = new CountDownLatch(1);
            List<Future<Reply>> replies = new ArrayList<>();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 12; i++) {
                    replies.add(clients.submit(() -> {
                        go.await();
                        return server.post("/v1/upload-asset", key, json);
                    }));
                }
                go.countDown();
            }
            int stored = 0;
            for (Future<Reply> f : replies) {
                Reply r = f.get();
                if (r.status() == 200) {
                    stored++;
                } else {
                    assertThat(r.status()).as(r.body()).isEqualTo(413);
                    assertThat(r.json().get("error").asText()).contains("over your limit of 400000 bytes");
                }
            }
            assertThat(stored).isEqualTo(4);
            assertThat(server.app.storage.uploadedBytes(acc.get("account_id").asText())).isEqualTo(400_000);
            assertThat(server.get("/v1/assets", key).json().get("assets")).hasSize(4);
        }
    }
}
