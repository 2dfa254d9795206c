package dev.hearth.artifacts;

import dev.hearth.TestArtifacts;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code deb:} sources against the real Debian archive (deb.debian.org; CI reaches it, elsewhere an unreachable
 * archive skips these, loudly): the suite's Release file vouches for the Packages.xz index, which vouches for the
 * .deb; the package's files land in the cache with their soname symlinks working.
 */
class DebianArchiveTest {

    static final String BLAS = "deb:bookworm/main/libblas3=3.11.0-2";

    @Test
    void parsesTheDebianForm() {
        ArtifactSource s = ArtifactSource.parse(BLAS + "!/usr/lib/{multiarch}/blas/libblas.so.3");
        assertThat(s).isInstanceOf(ArtifactSource.Deb.class);
        ArtifactSource.Deb d = (ArtifactSource.Deb) s;
        assertThat(d.suite()).isEqualTo("bookworm");
        assertThat(d.component()).isEqualTo("main");
        assertThat(d.name()).isEqualTo("libblas3");
        assertThat(d.version()).isEqualTo("3.11.0-2");
        assertThat(d.entry()).isEqualTo("usr/lib/" + DebianArchive.multiarch(DebianArchive.hostArchitecture()) + "/blas/libblas.so.3");
        assertThat(d.key()).isEqualTo("deb:bookworm/main/libblas3=3.11.0-2 (" + DebianArchive.hostArchitecture() + ")");
        // epochs and +/~ in versions are Debian's; a missing version is refused (the archive is not a version range)
        assertThat(((ArtifactSource.Deb) ArtifactSource.parse("deb:bookworm/main/libfoo1=1:2.0~rc1+dfsg-3")).version()).isEqualTo("1:2.0~rc1+dfsg-3");
        assertThatThrownBy(() -> ArtifactSource.parse("deb:bookworm/main/libblas3")).hasMessageContaining("deb:suite/component/package=version");
        assertThatThrownBy(() -> ArtifactSource.parse("deb:libblas3=3.11.0-2")).hasMessageContaining("deb:suite/component/package=version");
        assertThat(ArtifactSource.isSource(BLAS)).isTrue();
    }

    @Test
    void readsTheReleaseFilesSha256Section() {
        String release = """
                Origin: Debian
                MD5Sum:
                 0123 10 main/binary-amd64/Packages.xz
                SHA256:
                 ABCDEF 1234 main/binary-amd64/Packages.xz
                 999 12 main/binary-arm64/Packages.xz
                """;
        assertThat(DebianArchive.releaseEntry(release, "main/binary-amd64/Packages.xz")).containsExactly("abcdef", "1234");
        assertThat(DebianArchive.releaseEntry(release, "contrib/binary-amd64/Packages.xz")).isNull();
    }

    @Test
    void aRealPackageIsVerifiedUnpackedAndItsSonameLinkWorks() throws IOException {
        String arch = DebianArchive.hostArchitecture();
        Path lib = TestArtifacts.resolve(BLAS + "!/usr/lib/{multiarch}/blas/libblas.so.3");
        assertThat(Files.isSymbolicLink(lib)).as("libblas.so.3 is the package's soname symlink").isTrue();
        assertThat(Files.readSymbolicLink(lib).toString()).isEqualTo("libblas.so.3.11.0");
        byte[] head = Files.readAllBytes(lib);
        assertThat(head.length).isGreaterThan(100_000);
        assertThat(new String(head, 1, 3)).isEqualTo("ELF");
        // a second resolve is served from the cache, and the record says who vouched for the file
        List<String> steps = new ArrayList<>();
        Path again = TestArtifacts.cache().resolve(BLAS + "!/usr/lib/{multiarch}/blas/libblas.so.3", steps::add);
        assertThat(again).isEqualTo(lib);
        assertThat(steps).singleElement().asString().startsWith("using cached deb:bookworm/main/libblas3=3.11.0-2 (" + arch + ")")
                .contains("verified by the Debian bookworm/main index (checked against its Release file)");
    }

    @Test
    void aWrongVersionOrPackageSaysWhatTheArchiveHas() throws IOException {
        ArtifactCache cache = new ArtifactCache(Files.createTempDirectory("deb-cache"), URI.create("https://repo.maven.apache.org/maven2"),
                URI.create("https://registry.npmjs.org"), Duration.ofSeconds(120));
        List<String> steps = new ArrayList<>();
        try {
            cache.resolve("deb:bookworm/main/libblas3=3.9.0-1", steps::add);
            throw new AssertionError("an old version resolved");
        } catch (IOException e) {
            if (e.getMessage().startsWith("cannot reach")) {
                dev.hearth.LoudSkip.unavailable("the Debian archive", e.getMessage(), e);
            }
            assertThat(e).hasMessageContaining("has libblas3 at version [3.11.0-2], not 3.9.0-1");
        }
        // the index came with progress in the log, and was parsed once for both lookups
        assertThat(steps).anyMatch(s -> s.startsWith("downloading the bookworm/main package index"));
        steps.clear();
        assertThatThrownBy(() -> cache.resolve("deb:bookworm/main/no-such-package-hearth=1.0", steps::add))
                .hasMessageContaining("has no package 'no-such-package-hearth'");
        assertThat(steps).noneMatch(s -> s.startsWith("downloading the bookworm/main package index"));
        assertThatThrownBy(() -> cache.resolve("deb:no-such-suite/main/libblas3=3.11.0-2", steps::add))
                .hasMessageContaining("has no suite 'no-such-suite'");
    }
}
