package dev.hearth.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.Json;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerSpec;
import dev.hearth.runners.cog.CogRunnerFactory;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Workers as the pods of one Kubernetes Deployment per endpoint ({@code hearth-ep-<endpoint id>}). The pool's
 * size is the Deployment's replica count: it is created on the first scale-up, scaled to the count the
 * {@link Scaler} computes, and deleted with the endpoint. Each pool worker claims one ready pod and talks to it
 * over Cog's HTTP protocol (the pod runs {@code hearth worker --model <slug>}, or the model's own Cog
 * {@code image}). When the pool stops a worker, its pod is marked with the lowest
 * {@code controller.kubernetes.io/pod-deletion-cost} before the Deployment shrinks, so Kubernetes removes that
 * idle pod and not a busy one. A GPU hardware class asks for one {@code nvidia.com/gpu} and a node whose
 * {@code gpu_node_label} equals the class.
 */
public final class KubernetesWorkerBackend implements WorkerBackend {

    private static final Logger log = LoggerFactory.getLogger(KubernetesWorkerBackend.class);
    static final String ENDPOINT_LABEL = "hearth.dev/endpoint";
    static final String DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

    private final KubernetesClient client;
    private final String namespace;
    private final String image;
    private final int port;
    private final String gpuNodeLabel;
    private final long bootTimeoutMillis;
    private final CogRunnerFactory cog = new CogRunnerFactory();
    /** Runner types `hearth worker` serves in the workers' image (the built-in ones). */
    private final java.util.Set<String> workerTypes;
    /** Pod name → the worker that talks to it. */
    private final Map<String, String> claimed = new ConcurrentHashMap<>();

    public KubernetesWorkerBackend(KubernetesClient client, String namespace, String image, int port, String gpuNodeLabel,
                                   long bootTimeoutMillis, java.util.Set<String> workerTypes) {
        this.workerTypes = java.util.Set.copyOf(workerTypes);
        this.client = client;
        this.namespace = namespace;
        this.image = image;
        this.port = port;
        this.gpuNodeLabel = gpuNodeLabel;
        this.bootTimeoutMillis = bootTimeoutMillis;
    }

    /**
     * From {@code endpoints.kubernetes}; the cluster is {@code master_url} when set, else the kubeconfig or the
     * service account of the pod Hearth runs in (fabric8's usual discovery).
     */
    static KubernetesWorkerBackend fromConfig(JsonNode k8s, java.util.Set<String> workerTypes) {
        String image = k8s.path("image").asText("");
        if (image.isBlank()) throw new IllegalArgumentException("endpoints.backend is kubernetes: set endpoints.kubernetes.image");
        String masterUrl = k8s.path("master_url").asText("");
        KubernetesClient client = masterUrl.isBlank() ? new KubernetesClientBuilder().build()
                : new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(masterUrl).build()).build();
        return new KubernetesWorkerBackend(client, k8s.path("namespace").asText("default"), image,
                k8s.path("port").asInt(5000), k8s.path("gpu_node_label").asText("hearth.dev/gpu-class"),
                k8s.path("boot_timeout_seconds").asLong(900) * 1000, workerTypes);
    }

    @Override
    public String refusal(ModelSpec model) {
        if (workerTypes.contains(model.runner().type())) return null;
        if (!model.runner().params().path("image").asText("").isBlank()) return null;
        return "its runner type '" + model.runner().type() + "' is not served by `hearth worker` and its catalog entry names no Cog "
                + "image (runner.image) for the workers' pods";
    }

    static String deploymentName(Endpoint e) {
        return "hearth-ep-" + e.id().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void scaled(Endpoint e, ModelSpec model, int workers) {
        var deployments = client.apps().deployments().inNamespace(namespace);
        Deployment existing = deployments.withName(deploymentName(e)).get();
        if (existing == null) {
            if (workers == 0) return;
            deployments.resource(deployment(e, model, workers)).create();
            log.info("endpoint {}: created Deployment {} with {} replicas", e.name(), deploymentName(e), workers);
        } else if (existing.getSpec().getReplicas() == null || existing.getSpec().getReplicas() != workers) {
            deployments.withName(deploymentName(e)).edit(d -> new DeploymentBuilder(d).editSpec().withReplicas(workers).endSpec().build());
            log.info("endpoint {}: Deployment {} scaled to {}", e.name(), deploymentName(e), workers);
        }
    }

    @Override
    public void removed(Endpoint e) {
        client.apps().deployments().inNamespace(namespace).withName(deploymentName(e)).delete();
        log.info("endpoint {}: deleted Deployment {}", e.name(), deploymentName(e));
    }

    Deployment deployment(Endpoint e, ModelSpec model, int replicas) {
        Map<String, String> labels = Map.of(ENDPOINT_LABEL, e.id(), "app.kubernetes.io/managed-by", "hearth");
        String ownImage = model.runner().params().path("image").asText("");
        ContainerBuilder c = new ContainerBuilder().withName("worker").addNewPort().withContainerPort(port).endPort()
                .withNewReadinessProbe().withNewHttpGet().withPath("/health-check").withNewPort(port).endHttpGet().endReadinessProbe();
        if (ownImage.isBlank()) {
            c.withImage(image).withArgs("worker", "--model", model.slug(), "--host", "0.0.0.0", "--port", Integer.toString(port));
        } else {
            c.withImage(ownImage); // a Cog image serves its model on 5000 by itself
        }
        boolean gpu = !"cpu".equals(e.gpuId());
        if (gpu) c.withNewResources().addToLimits("nvidia.com/gpu", new Quantity("1")).endResources();
        var spec = new DeploymentBuilder()
                .withNewMetadata().withName(deploymentName(e)).withNamespace(namespace).withLabels(labels)
                .addToAnnotations("hearth.dev/endpoint-name", e.name()).addToAnnotations("hearth.dev/account", e.accountId()).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().addToMatchLabels(ENDPOINT_LABEL, e.id()).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().withContainers(c.build());
        if (gpu) spec = spec.addToNodeSelector(gpuNodeLabel, e.gpuId());
        return spec.endSpec().endTemplate().endSpec().build();
    }

    /** Waits for a ready pod of the endpoint that no other worker has, claims it, and connects to it. */
    @Override
    public Runner boot(Endpoint e, ModelSpec model, String workerId, BootProgress progress) throws Exception {
        long deadline = System.currentTimeMillis() + bootTimeoutMillis;
        progress.step("waiting for a ready pod of Deployment " + deploymentName(e));
        while (System.currentTimeMillis() < deadline) {
            for (Pod p : readyPods(e)) {
                String name = p.getMetadata().getName();
                if (claimed.putIfAbsent(name, workerId) != null) continue;
                try {
                    if (p.getMetadata().getAnnotations() != null && p.getMetadata().getAnnotations().containsKey(DELETION_COST)) {
                        // a pod a stopped worker left: in use again, so no longer the first to remove
                        client.pods().inNamespace(namespace).withName(name).edit(x -> new PodBuilder(x).editMetadata()
                                .removeFromAnnotations(DELETION_COST).endMetadata().build());
                    }
                    String url = "http://" + p.getStatus().getPodIP() + ":" + port;
                    progress.step("pod " + name + " at " + url);
                    RunnerSpec spec = new RunnerSpec("cog", Json.object().put("url", url)
                            .put("boot_timeout", Math.max(1, (deadline - System.currentTimeMillis()) / 1000)), RunnerSpec.Instances.ONE,
                            model.output());
                    return new PodRunner(cog.boot(spec, progress), name);
                } catch (Exception ex) {
                    claimed.remove(name);
                    throw ex;
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("no ready pod of Deployment " + deploymentName(e) + " within " + bootTimeoutMillis / 1000 + " s");
    }

    private List<Pod> readyPods(Endpoint e) {
        List<Pod> ready = new ArrayList<>();
        for (Pod p : client.pods().inNamespace(namespace).withLabel(ENDPOINT_LABEL, e.id()).list().getItems()) {
            if (p.getMetadata().getDeletionTimestamp() != null || p.getStatus() == null || p.getStatus().getPodIP() == null) continue;
            boolean isReady = p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            if (isReady) ready.add(p);
        }
        return ready;
    }

    /** A worker's connection to its pod; closing it frees the pod and marks it as the one to remove first. */
    private final class PodRunner implements Runner {
        private final Runner cogRunner;
        private final String pod;

        PodRunner(Runner cogRunner, String pod) {
            this.cogRunner = cogRunner;
            this.pod = pod;
        }

        @Override
        public RunOutput run(RunInput input) throws Exception {
            return cogRunner.run(input);
        }

        @Override
        public boolean alive() {
            return cogRunner.alive();
        }

        @Override
        public void close() throws Exception {
            try {
                cogRunner.close();
                client.pods().inNamespace(namespace).withName(pod).edit(p -> new PodBuilder(p).editMetadata()
                        .addToAnnotations(DELETION_COST, "-1000").endMetadata().build());
            } catch (Exception ex) {
                log.warn("marking pod {} for removal failed: {}", pod, ex.toString());
            } finally {
                claimed.remove(pod);
            }
        }
    }
}
