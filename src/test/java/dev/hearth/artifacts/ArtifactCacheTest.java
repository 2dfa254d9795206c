package dev.hearth.artifacts;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The artifact cache against a registry on a loopback port serving archives built here (real bytes, real
 * checksums): fetch, verification, unpacking, and the offline second boot.
 */
class ArtifactCacheTest {

    /** Nothing listens on port 9 here: a registry at this address cannot be reached. */
    static final URI UNREACHABLE = URI.create("http://127.0.0.1:9");

    @TempDir
    Path dir;
    LocalRegistry registry;
    byte[] tarball;

    @BeforeEach
    void start() throws IOException {
        registry = new LocalRegistry();
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("package/package.json", "{\"name\":\"@test/weights\",\"version\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        files.put("package/models/x4/model.json", "{\"format\":\"layers-model\"}".getBytes(StandardCharsets.UTF_8));
        files.put("package/models/x4/group1-shard1of1.bin", bytes(300_000));
        files.put("package/" + "deep/".repeat(25) + "long-name.txt", "found through a pax header".getBytes(StandardCharsets.UTF_8));
        tarball = Archives.tarGz(files);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private ArtifactCache cache(URI npm, URI maven) {
        return new ArtifactCache(dir.resolve("artifacts"), maven, npm, Duration.ofSeconds(10));
    }

    private ArtifactCache cache() {
        return cache(URI.create(registry.base()), URI.create(registry.base()));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + i / 7);
        return b;
    }

    @Test
    void npmPackageIsFetchedVerifiedAndUnpackedWithProgress() throws IOException {
        registry.publishNpm("@test/weights", "1.0.0", tarball, tarball);
        List<String> progress = new ArrayList<>();
        Path model = cache().resolve("npm:@test/weights@1.0.0!/models/x4/model.json", progress::add);

        assertThat(Files.readString(model)).isEqualTo("{\"format\":\"layers-model\"}");
        assertThat(model.resolveSibling("group1-shard1of1.bin")).hasBinaryContent(bytes(300_000));
        assertThat(progress).anyMatch(s -> s.startsWith("downloading npm:@test/weights@1.0.0 from " + registry.base()));
        assertThat(progress).anyMatch(s -> s.matches("npm:@test/weights@1\\.0\\.0: .* / .* \\(100%\\) downloaded"));
        String sha = HexFormat.of().formatHex(LocalRegistry.digest("SHA-256", tarball));
        assertThat(dir.resolve("artifacts/blobs/sha256/" + sha)).hasBinaryContent(tarball);
        assertThat(model).startsWith(dir.resolve("artifacts/unpacked/" + sha));
        Path longName = cache().resolve("npm:@test/weights@1.0.0!/" + "deep/".repeat(25) + "long-name.txt", s -> { });
        assertThat(Files.readString(longName)).isEqualTo("found through a pax header");
    }

    @Test
    void aSecondBootUsesTheCacheAndNeedsNoNetwork() throws IOException {
        registry.publishNpm("@test/weights", "1.0.0", tarball, tarball);
        Path first = cache().resolve("npm:@test/weights@1.0.0!/models/x4/model.json", s -> { });
        int hits = registry.hits.size();

        List<String> progress = new ArrayList<>();
        ArtifactCache offline = cache(UNREACHABLE, UNREACHABLE);
        Path again = offline.resolve("npm:@test/weights@1.0.0!/models/x4/model.json", progress::add);
        Path shard = offline.resolve("npm:@test/weights@1.0.0!/models/x4/group1-shard1of1.bin", s -> { });

        assertThat(again).isEqualTo(first);
        assertThat(shard).hasBinaryContent(bytes(300_000));
        assertThat(registry.hits).hasSize(hits);
        assertThat(progress).singleElement().asString().startsWith("using cached npm:@test/weights@1.0.0");
        // and without the cache the unreachable registry is reported as such
        assertThatThrownBy(() -> cache(UNREACHABLE, UNREACHABLE).resolve("npm:@test/other@1.0.0", s -> { }))
                .hasMessageContaining("cannot reach 127.0.0.1:9").hasMessageContaining("artifacts.npm_registry");
    }

    @Test
    void aChecksumMismatchIsRefusedAndNothingIsCached() throws IOException {
        registry.publishNpm("@test/weights", "1.0.0", tarball, "other bytes".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> cache().resolve("npm:@test/weights@1.0.0!/models/x4/model.json", s -> { }))
                .isInstanceOf(ArtifactCache.ChecksumMismatch.class)
                .hasMessageContaining("checksum mismatch for npm:@test/weights@1.0.0")
                .hasMessageContaining("dist.integrity says sha512-")
                .hasMessageContaining("The download was discarded");
        assertThat(files(dir.resolve("artifacts/blobs"))).isEmpty();
        assertThat(files(dir.resolve("artifacts/sources"))).isEmpty();
        assertThat(files(dir.resolve("artifacts/tmp"))).isEmpty();
    }

    @Test
    void mavenJarIsCheckedAgainstTheSha256SidecarOrElseTheSha1() throws IOException {
        byte[] jar = Archives.jar(Map.of("model.onnx", bytes(1000), "tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8)));
        registry.publishMaven("org.example", "weights", "1.0", jar, jar, "sha1");
        registry.publishMaven("org.example", "weights256", "2.0", jar, jar, "sha256", "sha1");

        Path onnx = cache().resolve("maven:org.example:weights:1.0!/model.onnx", s -> { });
        assertThat(onnx).hasBinaryContent(bytes(1000));
        assertThat(registry.hits).contains("/org/example/weights/1.0/weights-1.0.jar.sha256", "/org/example/weights/1.0/weights-1.0.jar.sha1");
        Path whole = cache().resolve("maven:org.example:weights256:2.0", s -> { });
        assertThat(whole).hasBinaryContent(jar);
        assertThat(registry.hits).doesNotContain("/org/example/weights256/2.0/weights256-2.0.jar.sha1");
    }

    @Test
    void mavenJarWithAWrongSidecarIsRefused() throws IOException {
        byte[] jar = Archives.jar(Map.of("model.onnx", bytes(1000)));
        registry.publishMaven("org.example", "weights", "1.0", jar, "tampered".getBytes(StandardCharsets.UTF_8), "sha256");
        assertThatThrownBy(() -> cache().resolve("maven:org.example:weights:1.0!/model.onnx", s -> { }))
                .hasMessageContaining("checksum mismatch for maven:org.example:weights:1.0")
                .hasMessageContaining("the repository's .sha256 says");
    }

    @Test
    void mavenJarWithoutAnySidecarIsRefused() throws IOException {
        byte[] jar = Archives.jar(Map.of("model.onnx", bytes(10)));
        registry.publishMaven("org.example", "weights", "1.0", jar, jar);
        assertThatThrownBy(() -> cache().resolve("maven:org.example:weights:1.0!/model.onnx", s -> { }))
                .hasMessageContaining("publishes neither").hasMessageContaining("cannot verify");
    }

    @Test
    void aMissingFileNamesWhatTheArchiveHas() {
        registry.publishNpm("@test/weights", "1.0.0", tarball, tarball);
        assertThatThrownBy(() -> cache().resolve("npm:@test/weights@1.0.0!/models/x9/model.json", s -> { }))
                .hasMessageContaining("has no file 'models/x9/model.json'").hasMessageContaining("models/x4/model.json");
    }

    @Test
    void anArchiveEntryThatClimbsOutIsRefused() throws IOException {
        byte[] evil = Archives.tarGz(Map.of("package/../../escaped.txt", "x".getBytes(StandardCharsets.UTF_8)));
        registry.publishNpm("@test/evil", "1.0.0", evil, evil);
        assertThatThrownBy(() -> cache().resolve("npm:@test/evil@1.0.0!/escaped.txt", s -> { }))
                .hasMessageContaining("outside its folder");
        assertThat(dir.resolve("escaped.txt")).doesNotExist();
        assertThat(dir.resolve("artifacts/escaped.txt")).doesNotExist();
    }

    @Test
    void aPlainUrlIsCheckedAgainstTheCatalogsSha256() throws IOException {
        registry.put("/files/w.tgz", tarball);
        String sha = HexFormat.of().formatHex(LocalRegistry.digest("SHA-256", tarball));
        Path model = cache().resolve(registry.base() + "/files/w.tgz#sha256=" + sha + "!/package/models/x4/model.json", s -> { });
        assertThat(Files.readString(model)).contains("layers-model");
        assertThatThrownBy(() -> cache().resolve(registry.base() + "/files/w.tgz#sha256=" + "0".repeat(64), s -> { }))
                .hasMessageContaining("checksum mismatch").hasMessageContaining("#sha256 in the catalog");
    }

    @Test
    void aCorruptedCacheFileIsDetectedRemovedAndFetchedAgain() throws IOException {
        registry.publishNpm("@test/weights", "1.0.0", tarball, tarball);
        cache().resolve("npm:@test/weights@1.0.0", s -> { });
        String sha = HexFormat.of().formatHex(LocalRegistry.digest("SHA-256", tarball));
        Path blob = dir.resolve("artifacts/blobs/sha256/" + sha);
        byte[] flipped = tarball.clone();
        flipped[flipped.length / 2] ^= 1;
        Files.write(blob, flipped);

        assertThatThrownBy(() -> cache().resolve("npm:@test/weights@1.0.0!/models/x4/model.json", s -> { }))
                .hasMessageContaining("is corrupt").hasMessageContaining("boot again");
        Path model = cache().resolve("npm:@test/weights@1.0.0!/models/x4/model.json", s -> { });
        assertThat(Files.readString(model)).contains("layers-model");
        assertThat(blob).hasBinaryContent(tarball);
    }

    @Test
    void theRunnerReceivesLocalPathsForSourcesAndEverythingElseUnchanged() throws Exception {
        registry.publishNpm("@test/weights", "1.0.0", tarball, tarball);
        AtomicReference<RunnerSpec> seen = new AtomicReference<>();
        RunnerFactory inner = new RunnerFactory() {
            public String type() {
                return "probe";
            }

            public dev.hearth.runners.Runner boot(RunnerSpec spec, dev.hearth.runners.BootProgress progress) {
                seen.set(spec);
                return input -> null;
            }
        };
        var params = JsonNodeFactory.instance.objectNode()
                .put("model", "npm:@test/weights@1.0.0!/models/x4/model.json")
                .put("shard", "npm:@test/weights@1.0.0!/models/x4/group1-shard1of1.bin")
                .put("tokenizer", "classpath:tok.json")
                .put("threads", 2);
        List<String> progress = new ArrayList<>();
        new ResolvingRunnerFactory(inner, cache()).boot(new RunnerSpec("probe", params), progress::add);

        assertThat(Path.of(seen.get().text("model", null))).isAbsolute().exists().hasFileName("model.json");
        assertThat(Path.of(seen.get().text("shard", null))).hasBinaryContent(bytes(300_000));
        assertThat(seen.get().text("tokenizer", null)).isEqualTo("classpath:tok.json");
        assertThat(seen.get().params().get("threads").asInt()).isEqualTo(2);
        assertThat(progress.stream().filter(s -> s.startsWith("using cached"))).hasSize(1);
    }

    private static List<Path> files(Path root) throws IOException {
        if (!Files.exists(root)) return List.of();
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
