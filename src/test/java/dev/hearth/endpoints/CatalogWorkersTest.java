package dev.hearth.endpoints;

import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a catalog entry's {@code scaling.backend} is read, and the endpoint its Kubernetes workers run under. */
class CatalogWorkersTest {

    private static ModelSpec load(String yaml) throws Exception {
        Path dir = Files.createTempDirectory("hearth-catalog");
        Files.writeString(dir.resolve("m.yaml"), yaml);
        return Catalog.load(dir.toString(), n -> null).find("my.model_v2");
    }

    @Test
    void aKubernetesEntryScalesLikeAnEndpointFromItsOwnSettings() throws Exception {
        ModelSpec m = load("""
                slug: my.model_v2
                pricing: {type: per_call, price: 0.01}
                runner: {type: cog, image: registry.local/m:1}
                scaling: {backend: kubernetes, gpu: L4, min_instances: 1, max_instances: 5, slots: 2, idle_timeout: 60, execution_timeout: 90}
                input_schema: {type: object}
                """);
        assertThat(m.scaling().onKubernetes()).isTrue();
        Endpoint e = CatalogWorkers.endpointFor(m, 0);
        // a valid Kubernetes name and label value, whatever the slug's case and punctuation
        assertThat(e.id()).startsWith("model-my-model-v2-").matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?").hasSizeLessThanOrEqualTo(63);
        assertThat(KubernetesWorkerBackend.deploymentName(e)).isEqualTo("hearth-ep-" + e.id());
        // a slug that differs only by its punctuation gets a Deployment of its own
        assertThat(CatalogWorkers.endpointFor(rename(m, "my_model.v2"), 0).id()).isNotEqualTo(e.id());
        // a plain slug keeps its name
        assertThat(CatalogWorkers.endpointFor(rename(m, "sdxl-turbo"), 0).id()).isEqualTo("model-sdxl-turbo");
        assertThat(e.workersMin()).isEqualTo(1);
        assertThat(e.workersMax()).isEqualTo(5);
        assertThat(e.scalerValue()).as("one worker per slots queued-or-running calls").isEqualTo(2);
        assertThat(e.idleTimeout()).isEqualTo(60);
        assertThat(e.executionTimeout()).isEqualTo(90);
        assertThat(e.gpuId()).isEqualTo("L4");
    }

    @Test
    void theDefaultIsLocalAndAnUnknownBackendIsRefusedAtLoad() throws Exception {
        ModelSpec local = load("""
                slug: my.model_v2
                pricing: {type: per_call, price: 0.01}
                runner: {type: cog, url: "http://127.0.0.1:9"}
                input_schema: {type: object}
                """);
        assertThat(local.scaling().onKubernetes()).isFalse();
        assertThat(local.scaling().gpu()).isEqualTo("cpu");
        assertThatThrownBy(() -> load("""
                slug: my.model_v2
                pricing: {type: per_call, price: 0.01}
                runner: {type: cog, url: "http://127.0.0.1:9"}
                scaling: {backend: nomad}
                input_schema: {type: object}
                """)).hasMessageContaining("scaling.backend must be local or kubernetes, not 'nomad'");
    }

    @Test
    void aLongSlugStillMakesAValidName() throws Exception {
        ModelSpec m = load("""
                slug: my.model_v2
                pricing: {type: per_call, price: 0.01}
                runner: {type: cog, image: x}
                input_schema: {type: object}
                """);
        ModelSpec longer = rename(m, "a".repeat(60) + "-b");
        String id = CatalogWorkers.endpointFor(longer, 0).id();
        assertThat(id).hasSizeLessThanOrEqualTo(63 - "hearth-ep-".length()).matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    }

    private static ModelSpec rename(ModelSpec m, String slug) {
        return new ModelSpec(slug, m.title(), m.category(), m.description(), m.ownedBy(), m.created(), m.output(), m.premium(),
                m.retired(), m.disabledReason(), m.pricing(), m.runner(), m.scaling(), m.inputSchema());
    }
}
