package dev.hearth.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @Test
    void defaultsFileThenEnvironmentThenFlags() throws Exception {
        Path file = Files.createTempFile("hearth", ".yaml");
        Files.writeString(file, "server:\n  port: 9000\n  public_url: https://file.example\nbilling:\n  free_credits: 2.5\n");
        HearthConfig c = ConfigLoader.load(file, Map.of(
                "HEARTH_SERVER_PUBLIC_URL", "https://env.example",
                "HEARTH_LOGGING_STORE_PARAMETERS", "true",
                "HEARTH_PLANS_FREE_REQUESTS_PER_MINUTE", "7",
                "HEARTH_NOT_A_KEY", "ignored",
                "PATH", "/usr/bin"), Map.of("data_dir", "/tmp/x"));
        assertThat(c.server().port()).isEqualTo(9000);
        assertThat(c.server().publicUrl()).isEqualTo("https://env.example");
        assertThat(c.server().maxBodyBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(c.billing().freeCredits()).isEqualByComparingTo("2.5");
        assertThat(c.logging().storeParameters()).isTrue();
        assertThat(c.section("plans").path("free").path("requests_per_minute").asInt()).isEqualTo(7);
        assertThat(c.dataDir()).isEqualTo("/tmp/x");
    }

    @Test
    void everyProcessIsItsOwnNodeUnlessTheNodeIsNamed() {
        HearthConfig one = ConfigLoader.load(null, Map.of(), Map.of());
        HearthConfig two = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(one.jobs().nodeId()).isNotBlank().isNotEqualTo(two.jobs().nodeId());
        assertThat(one.jobs().leaseSeconds()).isEqualTo(30);
        HearthConfig named = ConfigLoader.load(null, Map.of("HEARTH_JOBS_NODE_ID", "hearth-7f9c-abcde", "HEARTH_JOBS_LEASE_SECONDS", "12"), Map.of());
        assertThat(named.jobs().nodeId()).isEqualTo("hearth-7f9c-abcde");
        assertThat(named.jobs().leaseSeconds()).isEqualTo(12);
    }

    @Test
    void theAdminKeyComesFromHearthAdminKey() {
        HearthConfig c = ConfigLoader.load(null, Map.of("HEARTH_ADMIN_KEY", "SG_x"), Map.of());
        assertThat(c.admin().key()).isEqualTo("SG_x");
    }

    @Test
    void aBadValueIsReportedClearly() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("HEARTH_SERVER_PORT", "eighty"), Map.of()))
                .hasMessageContaining("invalid configuration");
    }
}
