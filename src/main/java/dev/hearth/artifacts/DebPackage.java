package dev.hearth.artifacts;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/**
 * A Debian binary package's files: a .deb is an {@code ar} archive whose {@code data.tar.xz} (or {@code .gz}, or
 * plain {@code .tar}) holds the files as they would land under {@code /}. They are unpacked under a folder instead,
 * keeping the package's relative symlinks ({@code libfoo.so.3 → libfoo.so.3.0.0}, which is how a library is named
 * by its soname) and hard links. A symlink pointing outside the folder (absolute, or climbing out with {@code ..})
 * is left out: it could only reach files of the machine, never the package's. The control files are not read:
 * maintainer scripts never run.
 */
final class DebPackage {

    private DebPackage() {
    }

    static void unpackData(InputStream deb, Path into) throws IOException {
        ArArchiveInputStream ar = new ArArchiveInputStream(deb);
        ArArchiveEntry e;
        while ((e = ar.getNextEntry()) != null) {
            String name = e.getName();
            if (!name.startsWith("data.tar")) continue;
            InputStream data = switch (name) {
                case "data.tar.xz" -> new XZInputStream(new BufferedInputStream(ar, 64 * 1024));
                case "data.tar.gz" -> new GZIPInputStream(ar, 64 * 1024);
                case "data.tar" -> ar;
                default -> throw new IOException("the package's files are in " + name + ", a compression this Hearth does not read (xz, gzip or none)");
            };
            untar(new TarArchiveInputStream(data), into);
            return;
        }
        throw new IOException("not a Debian package: no data.tar member in the ar archive");
    }

    private static void untar(TarArchiveInputStream tar, Path into) throws IOException {
        TarArchiveEntry t;
        while ((t = tar.getNextEntry()) != null) {
            Path target = inside(into, t.getName());
            if (target == null) continue;
            if (t.isDirectory()) {
                Files.createDirectories(target);
            } else if (t.isSymbolicLink()) {
                Path link = Path.of(t.getLinkName());
                if (link.isAbsolute() || !target.getParent().resolve(link).normalize().startsWith(into)) continue;
                Files.createDirectories(target.getParent());
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, link);
            } else if (t.isLink()) {
                Path source = inside(into, t.getLinkName());
                if (source == null || !Files.isRegularFile(source)) continue;
                Files.createDirectories(target.getParent());
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            } else if (t.isFile()) {
                Files.createDirectories(target.getParent());
                Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Where an entry ({@code ./usr/lib/...}) lands under {@code into}; null for the root; refused if it leaves it. */
    private static Path inside(Path into, String name) throws IOException {
        String n = name.replace('\\', '/');
        while (n.startsWith("./")) n = n.substring(2);
        while (n.startsWith("/")) n = n.substring(1);
        if (n.isEmpty() || n.equals(".")) return null;
        Path target = into.resolve(n).normalize();
        if (!target.startsWith(into)) throw new IOException("the package has an entry outside its folder ('" + name + "'): refused");
        return target;
    }
}
