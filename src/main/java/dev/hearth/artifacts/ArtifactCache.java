package dev.hearth.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.config.HearthConfig;
import dev.hearth.http.Json;
import dev.hearth.runners.BootProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Model weights named by where they come from ({@link ArtifactSource}), fetched once and kept in a
 * content-addressed folder: {@code blobs/sha256/<hex>} holds each download, {@code sources/} records which
 * source gave which blob (and which registry checksum vouched for it), {@code unpacked/<hex>/} holds an
 * archive's files. A source already recorded is served from disk without touching the network, so a second
 * boot works offline. Downloads are verified against the registry's own checksum before they enter the cache;
 * a mismatch discards the file and fails with both digests.
 */
public final class ArtifactCache {

    private static final Logger log = LoggerFactory.getLogger(ArtifactCache.class);
    static final String SHA256 = "SHA-256";

    private final Path root;
    private final URI mavenRepository;
    private final URI npmRegistry;
    private final Download download;
    private final DebianArchive debian;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    /** The default Debian archive for {@code deb:} sources: https, since the Release file's signature is not checked. */
    public static final URI DEBIAN_ARCHIVE = URI.create("https://deb.debian.org/debian");

    public ArtifactCache(Path root, URI mavenRepository, URI npmRegistry, Duration timeout) {
        this(root, mavenRepository, npmRegistry, DEBIAN_ARCHIVE, timeout);
    }

    public ArtifactCache(Path root, URI mavenRepository, URI npmRegistry, URI debianArchive, Duration timeout) {
        this.root = root.toAbsolutePath().normalize();
        this.mavenRepository = withoutTrailingSlash(mavenRepository);
        this.npmRegistry = withoutTrailingSlash(npmRegistry);
        this.download = new Download(timeout);
        this.debian = new DebianArchive(withoutTrailingSlash(debianArchive), download, this.root.resolve("tmp"));
    }

    /** From the {@code artifacts:} section: {@code dir} (empty: data_dir/artifacts), the registries and the Debian archive, the timeout. */
    public static ArtifactCache fromConfig(HearthConfig config) {
        JsonNode a = config.section("artifacts");
        String dir = a.path("dir").asText("");
        Path root = dir.isBlank() ? config.dataPath().resolve("artifacts") : Path.of(dir);
        return new ArtifactCache(root,
                URI.create(a.path("maven_repository").asText("https://repo.maven.apache.org/maven2")),
                URI.create(a.path("npm_registry").asText("https://registry.npmjs.org")),
                URI.create(a.path("debian_archive").asText(DEBIAN_ARCHIVE.toString())),
                Duration.ofSeconds(a.path("timeout_seconds").asLong(300)));
    }

    public Path root() {
        return root;
    }

    /** The local file for a source string (see {@link ArtifactSource}), fetching and unpacking it first if needed. */
    public Path resolve(String location, BootProgress progress) throws IOException {
        return resolve(ArtifactSource.parse(location), progress);
    }

    public Path resolve(ArtifactSource source, BootProgress progress) throws IOException {
        if (source instanceof ArtifactSource.LocalFile f) {
            if (!Files.isRegularFile(f.path())) throw new IOException("no file at " + f.path() + " (named by " + source.key() + ")");
            return f.path();
        }
        synchronized (locks.computeIfAbsent(source.key(), k -> new Object())) {
            Cached cached = cached(source);
            if (cached != null) {
                progress.step("using cached " + source.key() + " (sha256 " + cached.sha256.substring(0, 12) + ", verified by " + cached.verifiedBy + ")");
            } else {
                cached = fetch(source, progress);
            }
            if (source.entry() == null) return blob(cached.sha256);
            Path dir = unpacked(source, cached, progress);
            Path file = dir.resolve(source.entry()).normalize();
            if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
                throw new IOException(source.key() + " has no file '" + source.entry() + "'; it has: " + sample(dir));
            }
            return file;
        }
    }

    private record Cached(String sha256, long size, String verifiedBy) {
    }

    private Cached cached(ArtifactSource source) throws IOException {
        Path record = record(source);
        if (!Files.isRegularFile(record)) return null;
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(record, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String sha = p.getProperty("sha256");
        long size = Long.parseLong(p.getProperty("size", "-1"));
        if (sha == null || !Files.isRegularFile(blob(sha)) || Files.size(blob(sha)) != size) {
            log.warn("the cache record for {} points at a missing or truncated file: fetching it again", source.key());
            return null;
        }
        return new Cached(sha, size, p.getProperty("verified_by", "?"));
    }

    private Cached fetch(ArtifactSource source, BootProgress progress) throws IOException {
        Target t = switch (source) {
            case ArtifactSource.Maven m -> mavenTarget(m);
            case ArtifactSource.Npm n -> npmTarget(n);
            case ArtifactSource.Deb d -> debTarget(d, progress);
            case ArtifactSource.Url u -> new Target(URI.create(u.url()),
                    u.sha256() == null ? null : new Checksum(SHA256, HexFormat.of().parseHex(u.sha256()), "the #sha256 in the catalog", false),
                    "the URL in the model's catalog entry");
            case ArtifactSource.LocalFile f -> throw new IllegalStateException("local files are not fetched");
        };
        Path tmp = Files.createDirectories(root.resolve("tmp")).resolve(UUID.randomUUID() + ".part");
        try {
            List<String> algorithms = new ArrayList<>(List.of(SHA256));
            if (t.checksum != null && !t.checksum.algorithm().equals(SHA256)) algorithms.add(t.checksum.algorithm());
            Download.Fetched f = download.toFile(t.uri, tmp, algorithms, source.key(), progress, t.setting);
            String verifiedBy;
            if (t.checksum != null) {
                byte[] actual = f.digests().get(t.checksum.algorithm());
                if (!MessageDigest.isEqual(actual, t.checksum.expected())) {
                    throw new ChecksumMismatch("checksum mismatch for " + source.key() + ": " + t.checksum.origin() + " says "
                            + t.checksum.describeExpected() + " but the " + Download.size(f.size()) + " downloaded from " + t.uri + " hash to "
                            + t.checksum.render(actual) + ". The download was discarded; check " + t.setting
                            + " (a proxy or mirror may be serving other bytes) and boot again");
                }
                verifiedBy = t.checksum.origin() + " " + t.checksum.describeExpected();
            } else {
                verifiedBy = "unverified (https, no checksum given)";
                log.warn("{} has no checksum to verify against: add #sha256=<hex> to the catalog entry", source.key());
            }
            String sha = HexFormat.of().formatHex(f.digests().get(SHA256));
            Path blob = blob(sha);
            Files.createDirectories(blob.getParent());
            move(tmp, blob);
            writeRecord(source, sha, f.size(), verifiedBy, t.uri);
            log.info("fetched {} ({}, sha256 {}), {}", source.key(), Download.size(f.size()), sha, verifiedBy);
            return new Cached(sha, f.size(), verifiedBy);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private record Target(URI uri, Checksum checksum, String setting) {
    }

    private Target mavenTarget(ArtifactSource.Maven m) throws IOException {
        String setting = "artifacts.maven_repository (" + mavenRepository + ")";
        URI uri = URI.create(mavenRepository + "/" + m.repositoryPath());
        String sha256 = download.textOrNull(URI.create(uri + ".sha256"), setting);
        if (sha256 != null) return new Target(uri, Checksum.ofHex(SHA256, sha256, "the repository's .sha256"), setting);
        String sha1 = download.textOrNull(URI.create(uri + ".sha1"), setting);
        if (sha1 != null) return new Target(uri, Checksum.ofHex("SHA-1", sha1, "the repository's .sha1"), setting);
        throw new IOException(m.key() + ": the repository publishes neither " + uri + ".sha256 nor .sha1; "
                + "refusing a download it cannot verify (check the coordinates and " + setting + ")");
    }

    private Target npmTarget(ArtifactSource.Npm n) throws IOException {
        String setting = "artifacts.npm_registry (" + npmRegistry + ")";
        URI meta = URI.create(npmRegistry + "/" + n.name().replace("/", "%2f") + "/" + n.version());
        String text = download.textOrNull(meta, setting);
        if (text == null) throw new IOException("npm package " + n.name() + "@" + n.version() + " is not in the registry (" + meta + " answered 404)");
        JsonNode dist = Json.MAPPER.readTree(text).path("dist");
        String tarball = dist.path("tarball").asText("");
        if (tarball.isBlank()) throw new IOException("the registry's metadata for " + n.key() + " has no dist.tarball (" + meta + ")");
        Checksum checksum;
        if (dist.path("integrity").isTextual()) checksum = Checksum.ofIntegrity(dist.get("integrity").asText(), "the registry's dist.integrity");
        else if (dist.path("shasum").isTextual()) checksum = Checksum.ofHex("SHA-1", dist.get("shasum").asText(), "the registry's dist.shasum");
        else throw new IOException("the registry's metadata for " + n.key() + " has neither dist.integrity nor dist.shasum: refusing an unverified download");
        return new Target(URI.create(tarball), checksum, setting);
    }

    private Target debTarget(ArtifactSource.Deb d, BootProgress progress) throws IOException {
        DebianArchive.Package p = debian.find(d, progress);
        String origin = "the Debian " + d.suite() + "/" + d.component() + " index (checked against its Release file)";
        return new Target(debian.url(p), Checksum.ofHex(SHA256, p.sha256(), origin), debian.setting());
    }

    private Path unpacked(ArtifactSource source, Cached cached, BootProgress progress) throws IOException {
        Path dir = root.resolve("unpacked").resolve(cached.sha256);
        if (Files.isDirectory(dir)) return dir;
        Path blob = blob(cached.sha256);
        // The blob's name is its digest: re-hash before trusting it, since anything may have touched the folder.
        String actual = sha256(blob);
        if (!actual.equals(cached.sha256)) {
            Files.deleteIfExists(blob);
            Files.deleteIfExists(record(source));
            throw new IOException("the cached file for " + source.key() + " is corrupt (sha256 " + actual + " instead of " + cached.sha256
                    + "); it was removed: boot again to fetch it");
        }
        Unpacker.Format format = switch (source) {
            case ArtifactSource.Maven m -> Unpacker.Format.ZIP;
            case ArtifactSource.Npm n -> Unpacker.Format.TAR_GZ;
            case ArtifactSource.Deb d -> Unpacker.Format.DEB;
            default -> Unpacker.sniff(blob);
        };
        if (format == null) throw new IOException(source.key() + " is not a zip, jar, tar.gz or .deb archive, so '!/" + source.entry() + "' cannot be read from it");
        progress.step("unpacking " + source.key());
        Path tmp = root.resolve("tmp").resolve(UUID.randomUUID().toString());
        try {
            Unpacker.unpack(blob, format, tmp, source instanceof ArtifactSource.Npm);
            Files.createDirectories(dir.getParent());
            move(tmp, dir);
        } catch (IOException e) {
            if (Files.isDirectory(dir)) return dir; // another process won the race
            throw new IOException("cannot unpack " + source.key() + ": " + e.getMessage(), e);
        } finally {
            deleteTree(tmp);
        }
        return dir;
    }

    private Path blob(String sha256) {
        return root.resolve("blobs").resolve("sha256").resolve(sha256);
    }

    private Path record(ArtifactSource source) {
        byte[] d = Download.digest(SHA256).digest(source.key().getBytes(StandardCharsets.UTF_8));
        return root.resolve("sources").resolve(HexFormat.of().formatHex(d) + ".properties");
    }

    private void writeRecord(ArtifactSource source, String sha256, long size, String verifiedBy, URI from) throws IOException {
        Properties p = new Properties();
        p.setProperty("source", source.key());
        p.setProperty("sha256", sha256);
        p.setProperty("size", Long.toString(size));
        p.setProperty("verified_by", verifiedBy);
        p.setProperty("fetched_from", from.toString());
        p.setProperty("fetched_at", Instant.now().toString());
        Path record = record(source);
        Files.createDirectories(record.getParent());
        Path tmp = record.resolveSibling(record.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "Hearth artifact cache record");
        }
        move(tmp, record);
    }

    static String sha256(Path file) throws IOException {
        MessageDigest d = Download.digest(SHA256);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String sample(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            List<String> files = s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
            List<String> shown = files.subList(0, Math.min(12, files.size()));
            return String.join(", ", shown) + (files.size() > shown.size() ? " and " + (files.size() - shown.size()) + " more" : "");
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not remove {}: {}", dir, e.toString());
        }
    }

    private static URI withoutTrailingSlash(URI uri) {
        String s = uri.toString();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return URI.create(s);
    }

    /** The registry's checksum and the downloaded bytes disagree. */
    public static final class ChecksumMismatch extends IOException {
        ChecksumMismatch(String message) {
            super(message);
        }
    }
}
