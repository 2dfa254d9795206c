package dev.hearth.runners.embedding;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a catalog entry says a weight or tokenizer file is: {@code classpath:<name>} for files shipped inside a
 * jar (the bundled embedding models), anything else a path on disk.
 */
final class ModelFiles {

    static final String CLASSPATH = "classpath:";

    private ModelFiles() {
    }

    static boolean onClasspath(String location) {
        return location.startsWith(CLASSPATH);
    }

    static Path path(String location) {
        Path path = Path.of(location);
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException("no file at " + location);
        return path;
    }

    static byte[] read(String location) {
        try {
            if (!onClasspath(location)) return Files.readAllBytes(path(location));
            String name = location.substring(CLASSPATH.length()).replaceFirst("^/+", "");
            try (InputStream in = ModelFiles.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) throw new IllegalArgumentException("no resource '" + name + "' on the classpath");
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + location, e);
        }
    }
}
