package dev.hearth.it;

import dev.hearth.billing.Balance;
import dev.hearth.billing.Money;
import dev.hearth.catalog.Catalog;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.worker.CogWorker;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A catalog model whose entry says {@code scaling: {backend: kubernetes}}, against fabric8's mock API server
 * (CRUD mode), through Hearth's public API: its Deployment is created by the first call, grown with the queue,
 * and scaled to zero after its idle timeout; calls run on "pods" that are real {@code hearth worker} servers (Cog
 * protocol) on loopback, and are charged per call at the catalog price. The test plays the kubelet: it adds
 * each ready pod, one per loopback address, since every pod of a Deployment listens on the same port.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesCatalogModelsIT {

    static final String NS = KubernetesEndpointsIT.NS;
    static final String DEPLOYMENT = "hearth-ep-model-tagged-k8s";
    KubernetesClient k8s;

    @Test
    void aCatalogModelRunsOnPodsScaledFromItsQueueAndDownToZero() throws Exception {
        EndpointsIT.TaggedRunners tagged = new EndpointsIT.TaggedRunners();
        Path catalog = EndpointsIT.TaggedRunners.catalogDir();
        // the test model as a catalog entry on Kubernetes: one call per pod at a time, at most 3 pods, 1 s idle
        Files.writeString(catalog.resolve("tagged-k8s.yaml"), """
                slug: tagged-k8s
                title: tagged on Kubernetes (test only)
                category: test
                pricing: {type: per_call, price: 0.01}
                runner: {type: tagged, image: registry.local/tagged:1}
                scaling: {backend: kubernetes, gpu: A100, execution_timeout: 30, idle_timeout: 1, slots: 1, max_instances: 3}
                input_schema:
                  type: object
                  properties:
                    millis: {type: integer}
                """);
        var podSpec = Catalog.load(catalog.toString(), n -> null).find("tagged-k8s");
        List<CogWorker> pods = new ArrayList<>();
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        try {
            pods.add(new CogWorker(podSpec, tagged));
            int port = pods.getFirst().start("127.0.0.1", 0);
            for (String ip : List.of("127.0.0.2", "127.0.0.3")) {
                CogWorker w = new CogWorker(podSpec, tagged);
                pods.add(w);
                w.start(ip, port);
            }
            // endpoints.backend stays local: the catalog entry alone picks Kubernetes, on the cluster configured here
            Map<String, String> config = Map.of("catalog.dir", catalog.toString(),
                    "endpoints.kubernetes.master_url", k8s.getConfiguration().getMasterUrl(), "endpoints.kubernetes.namespace", NS,
                    "endpoints.kubernetes.image", "registry.local/hearth:test", "endpoints.kubernetes.port", Integer.toString(port),
                    "endpoints.kubernetes.boot_timeout_seconds", "60");
            try (HearthServer server = HearthServer.start(HearthServer.Store.SQLITE, config, Map.of("tagged", tagged))) {
                var account = server.createAccount("k8s-catalog", "pro", "10");
                String key = account.get("api_key").asText();
                String accountId = account.get("account_id").asText();
                Balance before = server.app.ledger.balance(accountId);

                // nothing runs before the first call (min_instances 0)
                Thread.sleep(500);
                assertThat(deployment()).isNull();

                // the first call creates the Deployment with one replica and waits for its pod
                CompletableFuture<Reply> first = CompletableFuture.supplyAsync(() -> server.post("/v1/tagged-k8s", key, "{\"millis\": 0}"), clients);
                await().atMost(Duration.ofSeconds(10)).until(() -> deployment() != null);
                Deployment d = deployment();
                assertThat(d.getSpec().getReplicas()).isEqualTo(1);
                assertThat(d.getSpec().getSelector().getMatchLabels()).containsEntry("hearth.dev/endpoint", "model-tagged-k8s");
                Container c = d.getSpec().getTemplate().getSpec().getContainers().getFirst();
                assertThat(c.getImage()).isEqualTo("registry.local/tagged:1");
                assertThat(c.getResources().getLimits()).containsKey("nvidia.com/gpu");
                assertThat(d.getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry("hearth.dev/gpu-class", "A100");
                assertThat(first).isNotDone();
                readyPod("tagged-k8s-pod-1", "127.0.0.1");
                Reply served = first.get();
                assertThat(served.status()).as(served.body()).isEqualTo(200);
                assertThat(served.json().get("instance").asText()).as("run by the pod's hearth worker").startsWith("instance-");

                // three calls at once, one slot per pod: the queue asks for three pods
                List<CompletableFuture<Reply>> burst = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    burst.add(CompletableFuture.supplyAsync(() -> server.post("/v1/tagged-k8s", key, "{\"millis\": 3000}"), clients));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> deployment().getSpec().getReplicas() == 3);
                readyPod("tagged-k8s-pod-2", "127.0.0.2");
                readyPod("tagged-k8s-pod-3", "127.0.0.3");
                for (CompletableFuture<Reply> f : burst) {
                    Reply r = f.get();
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                }
                assertThat(tagged.runs.get()).isEqualTo(4);

                // idle for its idle_timeout: scaled to zero
                await().atMost(Duration.ofSeconds(20)).until(() -> deployment().getSpec().getReplicas() == 0);
                assertThat(server.get("/v1/models/tagged-k8s", key).status()).isEqualTo(200);

                // and back from zero on the next call (the kubelet's pods are still listed in the mock)
                CompletableFuture<Reply> again = CompletableFuture.supplyAsync(() -> server.post("/v1/tagged-k8s", key, "{\"millis\": 0}"), clients);
                await().atMost(Duration.ofSeconds(10)).until(() -> deployment().getSpec().getReplicas() >= 1);
                Reply r = again.get();
                assertThat(r.status()).as(r.body()).isEqualTo(200);

                // charged per call at the catalog price, five calls, nothing for the pods' up-time
                Balance after = server.app.ledger.balance(accountId);
                assertThat(Money.toUsd(before.total() - after.total())).isEqualByComparingTo(new BigDecimal("0.05"));
                assertThat(after.held()).isZero();
            }
            // Hearth stopped: its pods are not left running
            assertThat(deployment().getSpec().getReplicas()).isZero();
        } finally {
            clients.shutdownNow();
            pods.forEach(CogWorker::close);
        }
    }

    @Test
    void aCatalogEntryNoPodCanServeIsRefusedWithTheReason() throws Exception {
        Path catalog = EndpointsIT.TaggedRunners.catalogDir();
        // the test runner type, which `hearth worker` does not serve, and no image of its own
        Files.writeString(catalog.resolve("tagged-k8s.yaml"), """
                slug: tagged-k8s
                pricing: {type: per_call, price: 0.01}
                runner: {type: tagged}
                scaling: {backend: kubernetes}
                input_schema: {type: object}
                """);
        Map<String, String> config = Map.of("catalog.dir", catalog.toString(),
                "endpoints.kubernetes.master_url", k8s.getConfiguration().getMasterUrl(), "endpoints.kubernetes.namespace", NS,
                "endpoints.kubernetes.image", "registry.local/hearth:test");
        try (HearthServer server = HearthServer.start(HearthServer.Store.SQLITE, config, Map.of("tagged", new EndpointsIT.TaggedRunners()))) {
            var account = server.createAccount("k8s-refused", "pro", "10");
            String key = account.get("api_key").asText();
            Balance before = server.app.ledger.balance(account.get("account_id").asText());
            Reply r = server.post("/v1/tagged-k8s", key, "{}");
            assertThat(r.status()).as(r.body()).isEqualTo(503);
            assertThat(r.json().get("error").asText()).contains("Kubernetes").contains("runner type 'tagged'");
            assertThat(server.app.ledger.balance(account.get("account_id").asText())).isEqualTo(before);
            // the ordinary entry beside it still runs in this Hearth
            assertThat(server.post("/v1/tagged", key, "{}").status()).isEqualTo(200);
            assertThat(k8s.apps().deployments().inNamespace(NS).list().getItems()).isEmpty();
        }
    }

    private Deployment deployment() {
        return k8s.apps().deployments().inNamespace(NS).withName(DEPLOYMENT).get();
    }

    private void readyPod(String podName, String ip) {
        KubernetesEndpointsIT.readyPod(k8s, "model-tagged-k8s", podName, ip, "registry.local/tagged:1");
    }
}
