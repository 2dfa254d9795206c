package dev.hearth.runners.vision;

import dev.hearth.artifacts.RuntimeClassLoader;

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
