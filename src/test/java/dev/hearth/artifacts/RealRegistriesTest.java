package dev.hearth.artifacts;

import dev.hearth.TestArtifacts;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache against the real Maven Central and npm registry (CI reaches both; elsewhere an unreachable
 * registry skips these, loudly): their checksums are what vouches for the files.
 */
class RealRegistriesTest {

    @Test
    void mavenCentralJarVerifiedByItsSidecar() throws IOException {
        Path manifest = TestArtifacts.resolve("maven:org.slf4j:slf4j-api:2.0.20!/META-INF/MANIFEST.MF");
        assertThat(Files.readString(manifest)).contains("slf4j");
        Path jar = TestArtifacts.resolve("maven:org.slf4j:slf4j-api:2.0.20");
        Path local = Path.of(System.getProperty("user.home"), ".m2/repository/org/slf4j/slf4j-api/2.0.20/slf4j-api-2.0.20.jar");
        if (Files.isRegularFile(local)) assertThat(jar).hasSameBinaryContentAs(local);
    }

    @Test
    void npmTarballVerifiedByItsIntegrity() throws IOException {
        Path model = TestArtifacts.resolve("npm:@upscalerjs/esrgan-slim@1.0.0!/models/x4/model.json");
        assertThat(Files.readString(model)).contains("\"layers-model\"");
        assertThat(Files.size(model.resolveSibling("group1-shard1of1.bin"))).isGreaterThan(500_000);
    }
}
