package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.TestArtifacts;
import dev.hearth.artifacts.LocalRegistry;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model's weights through the whole boot path: the built-in {@code esrgan} entry names its weights on npm; here
 * the npm registry is a loopback server serving the real tarball. The first boot downloads and verifies it, a
 * Hearth restarted with the registry unreachable boots from the cache, and a registry whose checksum does not
 * match the bytes makes the boot fail with a message that says so — without charging the caller.
 */
class ArtifactBootIT {

    LocalRegistry registry;
    byte[] tarball;
    Path artifacts;

    @BeforeEach
    void start() throws IOException {
        tarball = Files.readAllBytes(TestArtifacts.resolve("npm:@upscalerjs/esrgan-slim@1.0.0"));
        registry = new LocalRegistry();
        artifacts = Files.createTempDirectory("hearth-artifacts");
    }

    @AfterEach
    void stop() {
        registry.close();
        HearthServer.deleteQuietly(artifacts);
    }

    private HearthServer hearth(String npmRegistry) {
        return HearthServer.start(HearthServer.Store.SQLITE,
                Map.of("artifacts.dir", artifacts.toString(), "artifacts.npm_registry", npmRegistry), Map.of());
    }

    private static String tinyPng() throws IOException {
        BufferedImage img = new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 10; y++) for (int x = 0; x < 12; x++) img.setRGB(x, y, (x * 20) << 16 | (y * 25) << 8 | 128);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static Reply upscale(HearthServer server, String key) throws IOException {
        return server.post("/v1/esrgan", key, Json.object().put("image", tinyPng()).put("scale", 2).put("base64", true));
    }

    @Test
    void firstBootDownloadsAndARestartBootsFromTheCacheWithoutTheRegistry() throws IOException {
        registry.publishNpm("@upscalerjs/esrgan-slim", "1.0.0", tarball, tarball);
        try (HearthServer first = hearth(registry.base())) {
            String key = first.createAccount("a", "pro", "1").get("api_key").asText();
            Reply r = upscale(first, key);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().get("content_type").asText()).isEqualTo("image/jpeg");
        }
        assertThat(registry.hits).contains("/@upscalerjs%2fesrgan-slim/1.0.0", "/@upscalerjs/esrgan-slim/-/esrgan-slim-1.0.0.tgz");
        int hits = registry.hits.size();

        try (HearthServer second = hearth("http://127.0.0.1:9")) {
            String key = second.createAccount("b", "pro", "1").get("api_key").asText();
            Reply r = upscale(second, key);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(second.get("/v1/models/esrgan", key).json().get("status").asText()).isEqualTo("warm");
        }
        assertThat(registry.hits).hasSize(hits);
    }

    @Test
    void aChecksumMismatchFailsTheBootWithAClearMessageAndChargesNothing() throws IOException {
        registry.publishNpm("@upscalerjs/esrgan-slim", "1.0.0", tarball, "some other tarball".getBytes());
        try (HearthServer server = hearth(registry.base())) {
            JsonNode account = server.createAccount("c", "pro", "1");
            String key = account.get("api_key").asText();
            Reply r = upscale(server, key);

            assertThat(r.status()).isEqualTo(503);
            assertThat(r.json().get("error").asText())
                    .contains("could not be booted")
                    .contains("checksum mismatch for npm:@upscalerjs/esrgan-slim@1.0.0")
                    .contains("dist.integrity");
            JsonNode status = server.get("/v1/models/esrgan", key).json();
            assertThat(status.get("status").asText()).isEqualTo("failed");
            assertThat(status.get("status_detail").asText()).contains("checksum mismatch");
            JsonNode c = server.get("/v1/get-user-credits", key).json();
            assertThat(c.get("credits").decimalValue().add(c.get("free-credits").decimalValue())).isEqualByComparingTo(BigDecimal.ONE);
        }
        try (var s = Files.walk(artifacts.resolve("blobs"))) {
            assertThat(s.filter(Files::isRegularFile)).isEmpty();
        } catch (java.nio.file.NoSuchFileException none) {
            // nothing was ever stored: as it should be
        }
    }
}
