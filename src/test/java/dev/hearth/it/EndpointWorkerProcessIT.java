package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A dedicated endpoint of a {@code worker-process} model on the local backend: each of its workers is its own
 * {@code hearth worker} process serving the real embedding model, started when the endpoint is added, answering
 * the endpoint's calls, and gone when the endpoint is deleted.
 */
class EndpointWorkerProcessIT {

    @Test
    void eachWorkerIsItsOwnHearthWorkerProcess() throws Exception {
        Path catalog = Files.createTempDirectory("hearth-endpoint-workers");
        String bge = new String(getClass().getResourceAsStream("/models/bge-small-en-v1.5.yaml").readAllBytes());
        Files.writeString(catalog.resolve("bge-worker.yaml"), """
                slug: bge-worker
                title: bge-small-en-v1.5 in a worker process
                category: embeddings
                pricing: {type: per_call, price: 0.0001, multiply_by: [input]}
                runner:
                  type: worker-process
                  command: ["{java}", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                            "-cp", "{classpath}",
                            "dev.hearth.Hearth", "worker", "--model", "bge-small-en-v1.5", "--port", "{port}"]
                  boot_timeout: 180
                scaling: {idle_timeout: 300, slots: 1, execution_timeout: 180}
                """ + bge.substring(bge.indexOf("input_schema:")));
        try (HearthServer server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", catalog.toString()), Map.of())) {
            String key = server.createAccount("process-endpoints", "pro", "5").get("api_key").asText();
            List<ProcessHandle> before = WorkerProcessIT.children();
            Reply added = server.post("/endpoint/add", key, """
                    {"endpoint_name": "my-bge", "model_name": "bge-worker", "workers_min": 2, "workers_max": 2}""");
            assertThat(added.status()).as(added.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() ->
                    "ready".equals(server.get("/endpoint/list", key).json().get("endpoints").get(0).get("status").asText()));
            List<ProcessHandle> workers = WorkerProcessIT.started(before, WorkerProcessIT.children());
            assertThat(workers).as("one hearth worker process per endpoint worker").hasSize(2);

            Reply call = server.post("/v1/my-bge", key, "{\"input\": \"a dedicated worker\"}");
            assertThat(call.status()).as(call.body()).isEqualTo(200);
            JsonNode embedding = call.json().get("embeddings").get(0);
            assertThat(embedding).hasSize(384);
            assertThat(call.header("x-cost")).isEqualTo("0");

            Reply deleted = server.send("DELETE", "/endpoint/delete", key, "application/json", "{\"endpoint_name\": \"my-bge\"}");
            assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> workers.stream().noneMatch(ProcessHandle::isAlive));
        }
    }
}
