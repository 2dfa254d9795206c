package dev.hearth.artifacts;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Unpacks a downloaded archive into a folder: jars and zips, and tar.gz (npm tarballs) read with a small ustar
 * reader that understands the GNU long-name and pax path records npm writes. Links and devices are skipped;
 * a path that would land outside the folder fails the unpack. Debian packages are read by {@link DebPackage},
 * which keeps their relative symlinks (shared libraries are found through them).
 */
final class Unpacker {

    private Unpacker() {
    }

    enum Format { ZIP, TAR_GZ, DEB }

    /** Sniffs the archive format from its first bytes; null when it is neither a zip nor a gzip. */
    static Format sniff(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            if (head.length == 2 && head[0] == 'P' && head[1] == 'K') return Format.ZIP;
            if (head.length == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) return Format.TAR_GZ;
            return null;
        }
    }

    /**
     * @param stripFirst drop each entry's first path component (npm tarballs put everything under {@code package/})
     */
    static void unpack(Path archive, Format format, Path into, boolean stripFirst) throws IOException {
        Files.createDirectories(into);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 64 * 1024)) {
            switch (format) {
                case ZIP -> unzip(raw, into, stripFirst);
                case TAR_GZ -> untar(new GZIPInputStream(raw, 64 * 1024), into, stripFirst);
                case DEB -> DebPackage.unpackData(raw, into);
            }
        }
    }

    private static void unzip(InputStream raw, Path into, boolean stripFirst) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(raw)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                Path target = target(into, e.getName(), stripFirst);
                if (target == null) continue;
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target);
                }
            }
        }
    }

    private static void untar(InputStream in, Path into, boolean stripFirst) throws IOException {
        byte[] header = new byte[512];
        String longName = null;
        String paxPath = null;
        while (true) {
            if (!readBlock(in, header)) return;
            if (allZero(header)) return;
            long size = number(header, 124, 12);
            char type = (char) header[156];
            if (type == 'L') {
                longName = cString(readBytes(in, size), 0, (int) size);
                skipPadding(in, size);
                continue;
            }
            if (type == 'x') {
                String path = paxPath(readBytes(in, size));
                if (path != null) paxPath = path;
                skipPadding(in, size);
                continue;
            }
            if (type == 'g') {
                skip(in, size);
                skipPadding(in, size);
                continue;
            }
            String name = paxPath != null ? paxPath : longName != null ? longName : headerName(header);
            paxPath = null;
            longName = null;
            Path target = target(into, name, stripFirst);
            if ((type == '0' || type == '\0' || type == '7') && target != null) {
                Files.createDirectories(target.getParent());
                Files.copy(new Bounded(in, size), target);
            } else if (type == '5' && target != null) {
                Files.createDirectories(target);
                skip(in, size);
            } else {
                skip(in, size);
            }
            skipPadding(in, size);
        }
    }

    /** The file an entry goes to, or null for the archive's root itself; a path leaving {@code into} is refused. */
    private static Path target(Path into, String name, boolean stripFirst) throws IOException {
        String n = name.replace('\\', '/');
        while (n.startsWith("./")) n = n.substring(2);
        if (stripFirst) {
            int slash = n.indexOf('/');
            n = slash < 0 ? "" : n.substring(slash + 1);
        }
        while (n.startsWith("/")) n = n.substring(1);
        if (n.isEmpty()) return null;
        Path target = into.resolve(n).normalize();
        if (!target.startsWith(into)) throw new IOException("the archive has an entry outside its folder ('" + name + "'): refused");
        return target;
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** Pax extended header records: "LEN key=value\n", LEN counting bytes of the whole record. */
    private static String paxPath(byte[] data) {
        String path = null;
        int i = 0;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') space++;
            if (space >= data.length) break;
            int len;
            try {
                len = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                break;
            }
            if (len <= space - i || i + len > data.length) break;
            String record = new String(data, space + 1, i + len - space - 1, StandardCharsets.UTF_8);
            if (record.endsWith("\n")) record = record.substring(0, record.length() - 1);
            if (record.startsWith("path=")) path = record.substring(5);
            i += len;
        }
        return path;
    }

    private static long number(byte[] h, int off, int len) throws IOException {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7f;
            for (int i = 1; i < len; i++) v = (v << 8) | (h[off + i] & 0xff);
            return v;
        }
        String s = cString(h, off, len).trim();
        if (s.isEmpty()) return 0;
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException("corrupt tar header (size field '" + s + "')");
        }
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private static boolean readBlock(InputStream in, byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, block.length);
        if (n == 0) return false;
        if (n < block.length) throw new EOFException("truncated tar archive");
        return true;
    }

    private static byte[] readBytes(InputStream in, long size) throws IOException {
        if (size > 16 * 1024 * 1024) throw new IOException("tar header record too large (" + size + " bytes)");
        byte[] b = in.readNBytes((int) size);
        if (b.length < size) throw new EOFException("truncated tar archive");
        return b;
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        long pad = (512 - size % 512) % 512;
        skip(in, pad);
    }

    private static void skip(InputStream in, long n) throws IOException {
        in.skipNBytes(n);
    }

    /** A view of the next {@code remaining} bytes of a stream, so Files.copy stops at the entry's end. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long remaining;

        Bounded(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) return -1;
            int b = in.read();
            if (b < 0) throw new EOFException("truncated tar archive");
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) throw new EOFException("truncated tar archive");
            remaining -= n;
            return n;
        }

        @Override
        public void close() {
            // the tar stream stays open for the next entry
        }
    }
}
