package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.catalog.Catalog;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.worker.CogWorker;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Kubernetes worker backend against fabric8's mock API server (CRUD mode), through Hearth's HTTP API: adding
 * an endpoint creates its Deployment at the computed replica count, an update scales it, deleting the endpoint
 * deletes it. The test plays the kubelet: it adds a ready pod whose IP and port lead to a real
 * {@code hearth worker} (Cog protocol) on loopback, so a call to the endpoint really runs on "the pod".
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesEndpointsIT {

    static final String NS = "models";
    KubernetesClient k8s;

    @Test
    void theEndpointsDeploymentIsCreatedScaledAndDeleted() throws Exception {
        EndpointsIT.TaggedRunners tagged = new EndpointsIT.TaggedRunners();
        Path catalog = EndpointsIT.TaggedRunners.catalogDir();
        try (CogWorker pod = new CogWorker(Catalog.load(catalog.toString(), n -> null).find("tagged"), tagged)) {
            int podPort = pod.start("127.0.0.1", 0);
            // the same test model, as a catalog entry that names its own Cog image for the workers' pods
            java.nio.file.Files.writeString(catalog.resolve("tagged-image.yaml"), java.nio.file.Files.readString(catalog.resolve("tagged.yaml"))
                    .replace("slug: tagged", "slug: tagged-image").replace("runner: {type: tagged}", "runner: {type: tagged, image: registry.local/tagged:1}"));
            Map<String, String> config = Map.of("catalog.dir", catalog.toString(), "endpoints.billing_tick_seconds", "1",
                    "endpoints.backend", "kubernetes", "endpoints.kubernetes.master_url", k8s.getConfiguration().getMasterUrl(),
                    "endpoints.kubernetes.namespace", NS, "endpoints.kubernetes.image", "registry.local/hearth:test",
                    "endpoints.kubernetes.port", Integer.toString(podPort), "endpoints.kubernetes.boot_timeout_seconds", "30");
            try (HearthServer server = HearthServer.start(HearthServer.Store.SQLITE, config, Map.of("tagged", tagged))) {
                String key = server.createAccount("k8s", "pro", "10").get("api_key").asText();
                Reply added = server.post("/endpoint/add", key, """
                        {"endpoint_name": "on-k8s", "model_name": "tagged-image", "workers_min": 1, "workers_max": 3, "gpu_id": "A100"}""");
                assertThat(added.status()).as(added.body()).isEqualTo(200);
                String id = added.json().get("endpoint_id").asText();
                String name = "hearth-ep-" + id;

                // created at the computed replica count (workers_min: 1), running the model's Cog image on a GPU node
                await().atMost(Duration.ofSeconds(10)).until(() -> deployment(name) != null);
                Deployment d = deployment(name);
                assertThat(d.getSpec().getReplicas()).isEqualTo(1);
                assertThat(d.getSpec().getSelector().getMatchLabels()).containsEntry("hearth.dev/endpoint", id);
                Container c = d.getSpec().getTemplate().getSpec().getContainers().getFirst();
                assertThat(c.getImage()).isEqualTo("registry.local/tagged:1");
                assertThat(c.getResources().getLimits()).containsKey("nvidia.com/gpu");
                assertThat(d.getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry("hearth.dev/gpu-class", "A100");
                assertThat(endpoint(server, key).get("status").asText()).isEqualTo("deploying");

                // the kubelet's part: the Deployment's pod comes up and is ready
                readyPod(id, "on-k8s-pod-1");
                await().atMost(Duration.ofSeconds(15)).until(() -> "ready".equals(endpoint(server, key).get("status").asText()));
                Reply call = server.post("/v1/on-k8s", key, "{\"millis\": 0}");
                assertThat(call.status()).as(call.body()).isEqualTo(200);
                assertThat(call.json().get("instance").asText()).isEqualTo(tagged.lastBooted.get());

                // scaled to the new count the scaler computes from workers_min
                Reply up = server.send("PUT", "/endpoint/update", key, "application/json", "{\"endpoint_id\": \"" + id + "\", \"workers_min\": 2}");
                assertThat(up.status()).as(up.body()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> deployment(name).getSpec().getReplicas() == 2);

                // deleted with the endpoint
                Reply del = server.send("DELETE", "/endpoint/delete", key, "application/json", "{\"endpoint_id\": \"" + id + "\"}");
                assertThat(del.status()).as(del.body()).isEqualTo(200);
                assertThat(deployment(name)).isNull();

                // a built-in model runs in Hearth's own image as `hearth worker --model <slug>`, on a CPU node
                Reply builtIn = server.post("/endpoint/add", key, """
                        {"endpoint_name": "embedder", "model_name": "bge-small-en-v1.5", "workers_min": 1, "gpu_id": "cpu"}""");
                assertThat(builtIn.status()).as(builtIn.body()).isEqualTo(200);
                String name2 = "hearth-ep-" + builtIn.json().get("endpoint_id").asText();
                await().atMost(Duration.ofSeconds(10)).until(() -> deployment(name2) != null);
                Container c2 = deployment(name2).getSpec().getTemplate().getSpec().getContainers().getFirst();
                assertThat(c2.getImage()).isEqualTo("registry.local/hearth:test");
                assertThat(c2.getArgs()).containsExactly("worker", "--model", "bge-small-en-v1.5", "--host", "0.0.0.0", "--port", Integer.toString(podPort));
                assertThat(c2.getResources() == null || c2.getResources().getLimits() == null || c2.getResources().getLimits().isEmpty()).isTrue();
                assertThat(server.send("DELETE", "/endpoint/delete", key, "application/json", "{\"endpoint_name\": \"embedder\"}").status()).isEqualTo(200);
                assertThat(deployment(name2)).isNull();

                // a model no pod can serve (the test runner type, without an image) is refused, and nothing is created
                Reply refused = server.post("/endpoint/add", key, "{\"endpoint_name\": \"nope\", \"model_name\": \"tagged\"}");
                assertThat(refused.status()).isEqualTo(422);
                assertThat(refused.json().get("error").asText()).contains("$.model_name");
                assertThat(k8s.apps().deployments().inNamespace(NS).list().getItems()).isEmpty();
            }
        }
    }

    private Deployment deployment(String name) {
        return k8s.apps().deployments().inNamespace(NS).withName(name).get();
    }

    private static JsonNode endpoint(HearthServer server, String key) {
        return server.get("/endpoint/list", key).json().get("endpoints").get(0);
    }

    private void readyPod(String endpointId, String podName) {
        readyPod(k8s, endpointId, podName, "127.0.0.1", "registry.local/hearth:test");
    }

    /** Plays the kubelet: a running, ready pod of the endpoint's Deployment at {@code ip}. */
    static void readyPod(KubernetesClient k8s, String endpointId, String podName, String ip, String image) {
        Pod pod = new PodBuilder().withNewMetadata().withName(podName).withNamespace(NS).addToLabels("hearth.dev/endpoint", endpointId)
                .endMetadata().withNewSpec().addNewContainer().withName("worker").withImage(image).endContainer().endSpec()
                .withNewStatus().withPodIP(ip).withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build();
        k8s.pods().inNamespace(NS).resource(pod).create();
        Pod created = k8s.pods().inNamespace(NS).withName(podName).get();
        if (created.getStatus() == null || created.getStatus().getPodIP() == null) {
            k8s.pods().inNamespace(NS).resource(new PodBuilder(created).withStatus(pod.getStatus()).build()).updateStatus();
        }
    }
}
