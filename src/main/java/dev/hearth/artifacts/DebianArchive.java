package dev.hearth.artifacts;

import dev.hearth.runners.BootProgress;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.ref.SoftReference;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Finds a {@code deb:} package in a Debian archive (a mirror of {@code deb.debian.org/debian}) the way apt does,
 * minus the OpenPGP signature: the suite's {@code Release} file lists the SHA-256 of each {@code Packages.xz}
 * index; the index, checked against it, lists each package's {@code Filename} and SHA-256; the .deb is then
 * downloaded and checked against that by the artifact cache like any other source. The chain protects against
 * corrupt or substituted files from a mirror, not against whoever controls the base URL itself (that is what
 * apt's signature check adds), so the default base URL is https.
 *
 * <p>A parsed index (tens of thousands of packages) is kept softly, so the several packages of one model resolve
 * with one index download, and the memory goes back to the heap when it is needed.
 */
final class DebianArchive {

    private final URI base;
    private final Download download;
    private final Path tmpDir;
    private final String setting;
    private SoftReference<Index> lastIndex = new SoftReference<>(null);

    DebianArchive(URI base, Download download, Path tmpDir) {
        this.base = base;
        this.download = download;
        this.tmpDir = tmpDir;
        this.setting = "artifacts.debian_archive (" + base + ")";
    }

    /** One package as the index lists it. */
    record Package(String name, String version, String filename, String sha256, long size) {
    }

    private record Index(String suite, String component, String arch, String sha256, Map<String, List<Package>> packages) {
    }

    String setting() {
        return setting;
    }

    /** The package a source names, at exactly its version; fails naming what the archive has instead. */
    Package find(ArtifactSource.Deb deb, BootProgress progress) throws IOException {
        Index index = index(deb.suite(), deb.component(), deb.arch(), progress);
        List<Package> found = index.packages.get(deb.name());
        String where = "the Debian archive's " + deb.suite() + "/" + deb.component() + " (" + deb.arch() + ", " + setting + ")";
        if (found == null) throw new IOException(where + " has no package '" + deb.name() + "': check the name, the suite and the component");
        for (Package p : found) if (p.version.equals(deb.version())) return p;
        throw new IOException(where + " has " + deb.name() + " at version " + found.stream().map(Package::version).toList() + ", not "
                + deb.version() + " (the archive keeps only a suite's current version): update the catalog's deb: source");
    }

    URI url(Package p) {
        return URI.create(base + "/" + p.filename);
    }

    private synchronized Index index(String suite, String component, String arch, BootProgress progress) throws IOException {
        Index cached = lastIndex.get();
        if (cached != null && cached.suite.equals(suite) && cached.component.equals(component) && cached.arch.equals(arch)) return cached;

        URI releaseUri = URI.create(base + "/dists/" + suite + "/Release");
        String release = download.textOrNull(releaseUri, setting);
        if (release == null) throw new IOException("the Debian archive has no suite '" + suite + "' (" + releaseUri + " answered 404; " + setting + ")");
        String indexPath = component + "/binary-" + arch + "/Packages.xz";
        String[] listed = releaseEntry(release, indexPath);
        if (listed == null) {
            throw new IOException("the Release file of '" + suite + "' (" + releaseUri + ") lists no " + indexPath
                    + ": check the component, and that the archive serves this machine's architecture (" + arch + ")");
        }
        URI indexUri = URI.create(base + "/dists/" + suite + "/" + indexPath);
        Files.createDirectories(tmpDir);
        Path tmp = tmpDir.resolve(UUID.randomUUID() + ".Packages.xz");
        try {
            Download.Fetched f = download.toFile(indexUri, tmp, List.of(ArtifactCache.SHA256), "the " + suite + "/" + component + " package index", progress, setting);
            String actual = HexFormat.of().formatHex(f.digests().get(ArtifactCache.SHA256));
            if (!MessageDigest.isEqual(actual.getBytes(StandardCharsets.US_ASCII), listed[0].getBytes(StandardCharsets.US_ASCII))) {
                throw new ArtifactCache.ChecksumMismatch("checksum mismatch for " + indexUri + ": the suite's Release file says sha256 " + listed[0]
                        + " but the downloaded index hashes to " + actual + " (a mirror in the middle of an update, or a proxy serving other bytes: try again, or check " + setting + ")");
            }
            progress.step("reading the " + suite + "/" + component + " package index");
            Map<String, List<Package>> packages = parse(Files.newInputStream(tmp));
            Index index = new Index(suite, component, arch, actual, packages);
            lastIndex = new SoftReference<>(index);
            return index;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {sha256, size} of a file in the Release file's {@code SHA256:} section, or null. */
    static String[] releaseEntry(String release, String path) {
        boolean inSha256 = false;
        for (String line : release.split("\n")) {
            if (!line.startsWith(" ")) {
                inSha256 = line.startsWith("SHA256:");
                continue;
            }
            if (!inSha256) continue;
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 3 && parts[2].equals(path)) return new String[]{parts[0].toLowerCase(Locale.ROOT), parts[1]};
        }
        return null;
    }

    /** The stanzas of an xz-compressed {@code Packages} file, keeping only what finding and checking a package needs. */
    static Map<String, List<Package>> parse(InputStream xz) throws IOException {
        Map<String, List<Package>> out = new HashMap<>(1 << 17);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new XZInputStream(xz), StandardCharsets.UTF_8), 1 << 16)) {
            String name = null, version = null, filename = null, sha256 = null;
            long size = -1;
            String line;
            while (true) {
                line = r.readLine();
                if (line == null || line.isEmpty()) {
                    if (name != null && version != null && filename != null && sha256 != null) {
                        out.computeIfAbsent(name, k -> new ArrayList<>(1)).add(new Package(name, version, filename, sha256, size));
                    }
                    name = version = filename = sha256 = null;
                    size = -1;
                    if (line == null) break;
                    continue;
                }
                if (line.startsWith("Package: ")) name = line.substring(9).trim();
                else if (line.startsWith("Version: ")) version = line.substring(9).trim();
                else if (line.startsWith("Filename: ")) filename = line.substring(10).trim();
                else if (line.startsWith("SHA256: ")) sha256 = line.substring(8).trim().toLowerCase(Locale.ROOT);
                else if (line.startsWith("Size: ")) size = Long.parseLong(line.substring(6).trim());
            }
        }
        return out;
    }

    /** This JVM's machine as Debian names architectures. */
    static String hostArchitecture() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "i386";
            case "ppc64le" -> "ppc64el";
            default -> arch;
        };
    }

    /** Debian's multiarch folder name for an architecture: where its packages put their libraries. */
    static String multiarch(String debianArch) {
        return switch (debianArch) {
            case "amd64" -> "x86_64-linux-gnu";
            case "arm64" -> "aarch64-linux-gnu";
            case "i386" -> "i386-linux-gnu";
            case "ppc64el" -> "powerpc64le-linux-gnu";
            case "s390x" -> "s390x-linux-gnu";
            case "riscv64" -> "riscv64-linux-gnu";
            default -> debianArch + "-linux-gnu";
        };
    }
}
