package dev.hearth.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * Blobs as files under {@code data_dir/blobs}, fanned out by the first two characters of the key. A blob is
 * written to a temporary file in the same folder, forced to disk, then renamed into place in one atomic step,
 * so a crash leaves either the whole blob or none of it (plus, at worst, a stray {@code .incoming} file).
 */
public final class LocalBlobStore implements BlobStore {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]{8,128}");

    private final Path root;

    public LocalBlobStore(Path root) {
        this.root = root.toAbsolutePath();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the blob folder " + this.root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Written put(String key, byte[] bytes) throws IOException {
        Path target = path(key);
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".incoming-", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new Written(key, bytes.length, BlobStore.sha256(bytes));
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(path(key));
    }

    @Override
    public byte[] read(String key) throws IOException {
        return Files.readAllBytes(path(key));
    }

    @Override
    public boolean delete(String key) throws IOException {
        return Files.deleteIfExists(path(key));
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(path(key));
    }

    /** The file of a key; keys are checked so that none can name a path outside the blob folder. */
    Path path(String key) {
        checkKey(key);
        return root.resolve(key.substring(0, 2)).resolve(key);
    }

    /** Rejects any key Hearth could not have made (and so any that could name a path outside the store). */
    static void checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) throw new IllegalArgumentException("invalid blob key");
    }

}
