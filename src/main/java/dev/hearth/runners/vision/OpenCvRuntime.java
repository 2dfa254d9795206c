package dev.hearth.runners.vision;

import dev.hearth.artifacts.RuntimeClassLoader;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.RunnerSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenCV's DNN module loaded once per jar for the whole process, shared by the vision models. It is never closed:
 * a native library cannot be unloaded while its class loader lives, and the JVM lets only one loader hold a given
 * library file, so a model booted again after an idle unload reuses the loader it had. Its models are released
 * with their runners; the runtime itself (about 40 MB of native code) stays mapped.
 */
public final class OpenCvRuntime {

    static final String BRIDGE_PACKAGE = "dev.hearth.runners.vision.opencv";
    private static final Map<Path, VisionNet.Loader> LOADED = new ConcurrentHashMap<>();

    private OpenCvRuntime() {
    }

    /**
     * The network named by the catalog parameter {@code model} of a vision model, loaded with the OpenCV named by its
     * {@code runtime} parameter (both already resolved to local files by the artifact cache).
     */
    static VisionNet net(RunnerSpec spec, String model, BootProgress progress) {
        progress.step("loading OpenCV");
        VisionNet.Loader opencv = at(file(spec, "runtime"));
        progress.step("loading " + file(spec, model).getFileName());
        return opencv.tflite(file(spec, model));
    }

    private static Path file(RunnerSpec spec, String name) {
        Path p = Path.of(spec.requiredText(name));
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException("runner '" + spec.type() + "': no file at " + p + " for '" + name + "'");
        return p;
    }

    /** The loader for the OpenCV jar at {@code jar} (usually {@code maven:org.openpnp:opencv:4.9.0-0}, resolved). */
    public static VisionNet.Loader at(Path jar) {
        return LOADED.computeIfAbsent(jar.toAbsolutePath().normalize(), p -> {
            RuntimeClassLoader loader = new RuntimeClassLoader("opencv", List.of(p), BRIDGE_PACKAGE);
            try {
                return loader.create(BRIDGE_PACKAGE + ".OpenCvNets", VisionNet.Loader.class);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot load OpenCV from " + p + ": " + e, e);
            }
        });
    }
}
