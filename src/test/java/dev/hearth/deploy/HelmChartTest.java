package dev.hearth.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Renders deploy/helm/hearth with Helm's own template engine (helm-java) and checks what a cluster relies on:
 * probes on /health/*, a grace period longer than the drain, a pod name as node identity, a PodDisruptionBudget
 * selecting the gateway pods, secrets only in the Secret, zero-downtime rolling updates, worker pools, and a
 * refusal to render a multi-replica gateway that lacks PostgreSQL, Redis or a bucket.
 */
class HelmChartTest {

    static final Path CHART = Path.of("deploy/helm/hearth");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static final Map<String, String> CLUSTER = Map.of(
            "database.url", "jdbc:postgresql://pg:5432/hearth", "database.password", "pg-secret-pw",
            "redis.url", "redis://:redis-secret-pw@redis:6379", "s3.bucket", "hearth-files",
            "s3.endpoint", "http://minio:9000", "s3.pathStyle", "true", "s3.accessKey", "AKIA-TEST", "s3.secretKey", "s3-secret-key",
            "adminKey", "SG_adminsecret0000000000000000000");

    static List<JsonNode> render(Map<String, String> values, UnaryOperator<TemplateCommand> more) throws Exception {
        TemplateCommand t = new Helm(CHART).template().withName("prod").withNamespace("ai").withKubeVersion("1.31.0");
        for (var e : values.entrySet()) t = t.set(e.getKey(), e.getValue());
        String out = more.apply(t).call();
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).readValues(out)) {
            while (it.hasNext()) {
                JsonNode d = (JsonNode) it.next();
                if (d != null && !d.isNull() && !d.isMissingNode() && d.size() > 0) docs.add(d);
            }
        }
        return docs;
    }

    static JsonNode find(List<JsonNode> docs, String kind, String name) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind) && d.at("/metadata/name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + docs.stream().map(d -> d.path("kind").asText() + "/" + d.at("/metadata/name").asText()).toList()));
    }

    @Test
    void aClusterGatewayHasProbesDrainIdentityAndADisruptionBudget() throws Exception {
        List<JsonNode> docs = render(CLUSTER, UnaryOperator.identity());
        JsonNode dep = find(docs, "Deployment", "prod-hearth");
        JsonNode pod = dep.at("/spec/template/spec");
        JsonNode c = pod.at("/containers/0");
        assertThat(dep.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
        assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
        assertThat(c.at("/readinessProbe/httpGet/port").asText()).isEqualTo(c.at("/ports/0/name").asText());
        // SIGTERM drains for jobs.drainTimeout after the preStop pause; the kubelet must not kill it before
        int grace = pod.path("terminationGracePeriodSeconds").asInt();
        assertThat(grace).isGreaterThan(30 + c.at("/lifecycle/preStop/sleep/seconds").asInt());
        assertThat(dep.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();

        JsonNode nodeId = envVar(c, "HEARTH_JOBS_NODE_ID");
        assertThat(nodeId.at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.name");

        JsonNode pdb = find(docs, "PodDisruptionBudget", "prod-hearth");
        assertThat(pdb.at("/spec/selector/matchLabels")).isEqualTo(dep.at("/spec/selector/matchLabels"));
        assertThat(dep.at("/spec/template/metadata/labels").properties()).containsAll(dep.at("/spec/selector/matchLabels").properties());
        JsonNode svc = find(docs, "Service", "prod-hearth");
        assertThat(svc.at("/spec/selector")).isEqualTo(dep.at("/spec/selector/matchLabels"));
    }

    @Test
    void configGoesToTheConfigMapAndSecretsOnlyToTheSecret() throws Exception {
        List<JsonNode> docs = render(CLUSTER, UnaryOperator.identity());
        JsonNode cm = find(docs, "ConfigMap", "prod-hearth");
        String yaml = cm.at("/data/hearth.yaml").asText();
        JsonNode config = YAML.readTree(yaml);
        assertThat(config.at("/database/url").asText()).isEqualTo("jdbc:postgresql://pg:5432/hearth");
        assertThat(config.at("/storage/s3/bucket").asText()).isEqualTo("hearth-files");
        assertThat(config.at("/storage/s3/path_style").asBoolean()).isTrue();
        for (String secret : List.of("pg-secret-pw", "redis-secret-pw", "s3-secret-key", "SG_adminsecret")) {
            assertThat(yaml).doesNotContain(secret);
            assertThat(find(docs, "Deployment", "prod-hearth").toString()).doesNotContain(secret);
        }
        JsonNode secret = find(docs, "Secret", "prod-hearth");
        assertThat(secret.at("/stringData/HEARTH_DATABASE_PASSWORD").asText()).isEqualTo("pg-secret-pw");
        assertThat(secret.at("/stringData/HEARTH_LIMITS_REDIS_URL").asText()).contains("redis-secret-pw");
        assertThat(secret.at("/stringData/HEARTH_STORAGE_S3_SECRET_KEY").asText()).isEqualTo("s3-secret-key");
        JsonNode c = find(docs, "Deployment", "prod-hearth").at("/spec/template/spec/containers/0");
        assertThat(c.at("/envFrom/0/secretRef/name").asText()).isEqualTo("prod-hearth");
        assertThat(c.path("args").toString()).contains("/etc/hearth/hearth.yaml");
    }

    @Test
    void extraConfigAndAnExistingSecretAreHonoured() throws Exception {
        var values = new java.util.HashMap<>(CLUSTER);
        values.put("existingSecret", "my-hearth-secrets");
        values.put("extraConfig.plans.free.requests_per_minute", "7");
        List<JsonNode> docs = render(values, UnaryOperator.identity());
        assertThat(docs).noneMatch(d -> d.path("kind").asText().equals("Secret"));
        JsonNode c = find(docs, "Deployment", "prod-hearth").at("/spec/template/spec/containers/0");
        assertThat(c.at("/envFrom/0/secretRef/name").asText()).isEqualTo("my-hearth-secrets");
        JsonNode config = YAML.readTree(find(docs, "ConfigMap", "prod-hearth").at("/data/hearth.yaml").asText());
        assertThat(config.at("/plans/free/requests_per_minute").asInt()).isEqualTo(7);
        assertThat(config.at("/database/url").asText()).isNotEmpty();
    }

    @Test
    void workerPoolsAreADeploymentAndAServiceEach() throws Exception {
        List<JsonNode> docs = render(CLUSTER, t -> t.set("workerPools[0].name", "embeddings").set("workerPools[0].model", "bge-small-en-v1.5")
                .set("workerPools[0].replicas", 3));
        JsonNode w = find(docs, "Deployment", "prod-hearth-worker-embeddings");
        assertThat(w.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(w.at("/spec/template/spec/containers/0/args").toString()).contains("worker", "bge-small-en-v1.5", "0.0.0.0");
        JsonNode svc = find(docs, "Service", "prod-hearth-worker-embeddings");
        assertThat(svc.at("/spec/selector")).isEqualTo(w.at("/spec/selector/matchLabels"));
        // the gateway Service must not send API traffic to workers
        JsonNode gatewaySvc = find(docs, "Service", "prod-hearth");
        assertThat(gatewaySvc.at("/spec/selector/app.kubernetes.io~1component").asText()).isEqualTo("gateway");
    }

    @Test
    void kubernetesWorkersGiveTheGatewaysARoleAndTheirSettings() throws Exception {
        List<JsonNode> off = render(CLUSTER, UnaryOperator.identity());
        assertThat(off).noneMatch(d -> d.path("kind").asText().equals("Role"));
        assertThat(YAML.readTree(find(off, "ConfigMap", "prod-hearth").at("/data/hearth.yaml").asText()).has("endpoints")).isFalse();

        List<JsonNode> docs = render(CLUSTER, t -> t.set("kubernetesWorkers.enabled", true));
        JsonNode pod = find(docs, "Deployment", "prod-hearth").at("/spec/template/spec");
        assertThat(pod.path("serviceAccountName").asText()).isEqualTo("prod-hearth");
        JsonNode binding = find(docs, "RoleBinding", "prod-hearth-workers");
        assertThat(binding.at("/subjects/0/name").asText()).isEqualTo("prod-hearth");
        assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo("ai");
        assertThat(binding.at("/roleRef/name").asText()).isEqualTo("prod-hearth-workers");
        find(docs, "ServiceAccount", "prod-hearth");
        JsonNode rules = find(docs, "Role", "prod-hearth-workers").path("rules");
        // what KubernetesWorkerBackend does: create, scale and delete Deployments; list and annotate pods
        assertThat(rules.get(0).path("resources").toString()).contains("deployments");
        assertThat(rules.get(0).path("verbs").toString()).contains("create", "patch", "delete");
        assertThat(rules.get(1).path("resources").toString()).contains("pods");
        assertThat(rules.get(1).path("verbs").toString()).contains("list", "patch");
        JsonNode config = YAML.readTree(find(docs, "ConfigMap", "prod-hearth").at("/data/hearth.yaml").asText());
        assertThat(config.at("/endpoints/backend").asText()).isEqualTo("kubernetes");
        assertThat(config.at("/endpoints/kubernetes/namespace").asText()).isEqualTo("ai");
        assertThat(config.at("/endpoints/kubernetes/image").asText()).isEqualTo(pod.at("/containers/0/image").asText());
        assertThat(config.at("/endpoints/kubernetes/port").asInt()).isEqualTo(5000);

        // catalog entries only: endpoints keep their local workers, the cluster settings are still there
        JsonNode catalogOnly = YAML.readTree(find(render(CLUSTER, t -> t.set("kubernetesWorkers.enabled", true)
                .set("kubernetesWorkers.endpoints", false).set("kubernetesWorkers.image", "registry.example/workers:2")), "ConfigMap", "prod-hearth")
                .at("/data/hearth.yaml").asText());
        assertThat(catalogOnly.at("/endpoints/backend").isMissingNode()).isTrue();
        assertThat(catalogOnly.at("/endpoints/kubernetes/image").asText()).isEqualTo("registry.example/workers:2");
    }

    @Test
    void manyReplicasWithoutTheSharedStoresAreRefused() {
        for (String missing : List.of("database.url", "redis.url", "s3.bucket")) {
            var values = new java.util.HashMap<>(CLUSTER);
            values.remove(missing);
            assertThatThrownBy(() -> render(values, UnaryOperator.identity())).as(missing).hasMessageContaining(missing);
        }
    }

    @Test
    void oneReplicaOnEmbeddedStoresRendersWithoutADisruptionBudget() throws Exception {
        List<JsonNode> docs = render(Map.of("replicaCount", "1"), UnaryOperator.identity());
        assertThat(find(docs, "Deployment", "prod-hearth").at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(docs).noneMatch(d -> d.path("kind").asText().equals("PodDisruptionBudget"));
    }

    @Test
    void theChartPassesHelmLint() {
        var result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    static JsonNode envVar(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) if (e.path("name").asText().equals(name)) return e;
        throw new AssertionError("no env " + name);
    }
}
