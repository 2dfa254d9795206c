package dev.hearth;


import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Real photos for the vision tests, from Debian packages: darknet's sample photos ({@code dog.jpg}, {@code person.jpg},
 * ...) and scikit-image's ({@code astronaut.png}). A package is unpacked, not installed, into
 * {@code target/debian/<package>/} with {@code apt-get download} and {@code dpkg-deb -x} (apt verifies the
 * download against the archive's signed index); .ci/run does the same before the build. Under CI (CI=true) a
 * missing photo fails the test; elsewhere the test is skipped, loudly.
 */
public final class TestPhotos {

    static final Path DIR = Path.of(System.getProperty("user.dir"), "target", "debian").toAbsolutePath();

    private TestPhotos() {
    }

    /** {@code darknet}'s {@code usr/share/darknet/data/<name>}. */
    public static Path darknet(String name) {
        return file("darknet", "usr/share/darknet/data/" + name);
    }

    /** {@code python3-skimage}'s {@code skimage/data/<name>}. */
    public static Path skimage(String name) {
        return file("python3-skimage", "usr/lib/python3/dist-packages/skimage/data/" + name);
    }

    static synchronized Path file(String pkg, String path) {
        Path file = DIR.resolve(pkg).resolve(path);
        if (Files.isRegularFile(file)) return file;
        String problem;
        try {
            Path tmp = Files.createTempDirectory("hearth-deb");
            Files.createDirectories(DIR);  // dpkg-deb -x creates only the last folder of its target
            Process download = new ProcessBuilder("apt-get", "download", pkg).directory(tmp.toFile()).redirectErrorStream(true).start();
            String log = new String(download.getInputStream().readAllBytes());
            if (!download.waitFor(300, TimeUnit.SECONDS) || download.exitValue() != 0) throw new IllegalStateException("apt-get download " + pkg + ": " + log);
            try (var debs = Files.list(tmp)) {
                Path deb = debs.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst().orElseThrow();
                Files.createDirectories(DIR.resolve(pkg)); // dpkg-deb makes only the last folder of the target
                Process unpack = new ProcessBuilder("dpkg-deb", "-x", deb.toString(), DIR.resolve(pkg).toString()).redirectErrorStream(true).start();
                String out = new String(unpack.getInputStream().readAllBytes());
                if (!unpack.waitFor(300, TimeUnit.SECONDS) || unpack.exitValue() != 0) throw new IllegalStateException("dpkg-deb -x: " + out);
            }
            if (Files.isRegularFile(file)) return file;
            problem = "the package " + pkg + " has no " + path;
        } catch (Exception e) {
            problem = "cannot unpack the Debian package " + pkg + " (" + e.getMessage() + ")";
        }
        LoudSkip.unavailable("a real photo (the test photos)", problem, null);
        throw new IllegalStateException("unreachable");
    }
}
