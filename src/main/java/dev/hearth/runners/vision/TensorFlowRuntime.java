package dev.hearth.runners.vision;

import dev.hearth.artifacts.RuntimeClassLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TensorFlow Java loaded once per set of jars for the whole process, like {@link OpenCvRuntime} and for the same
 * reason: its native library (libtensorflow, about 680 MB unpacked) cannot be unloaded while its class loader
 * lives, and the JVM lets only one loader hold a given library file, so a model booted again after an idle unload
 * reuses the loader it had. The graphs are released with their runners.
 */
public final class TensorFlowRuntime {

    static final String BRIDGE_PACKAGE = "dev.hearth.runners.vision.tensorflow";
    private static final String JAVACPP_CACHE = "org.bytedeco.javacpp.cachedir";
    private static final Map<List<Path>, TensorFlowNet.Loader> LOADED = new ConcurrentHashMap<>();

    private TensorFlowRuntime() {
    }

    /**
     * The loader for TensorFlow Java made of {@code jars} (its API, its natives, ndarray, JavaCPP and protobuf; see
     * the {@code object-detection} catalog entry), all already resolved to local files by the artifact cache.
     */
    public static TensorFlowNet.Loader at(List<Path> jars) {
        List<Path> key = jars.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        for (Path p : key) if (!Files.isRegularFile(p)) throw new IllegalArgumentException("no TensorFlow Java jar at " + p);
        return LOADED.computeIfAbsent(key, k -> {
            // JavaCPP unpacks libtensorflow (about 680 MB) before loading it, by default under ~/.javacpp/cache: keep
            // it beside the jars in the artifact cache instead, so the cache's folder holds everything a model uses
            // and deleting it frees the space. An operator's own -Dorg.bytedeco.javacpp.cachedir wins.
            if (System.getProperty(JAVACPP_CACHE) == null) {
                System.setProperty(JAVACPP_CACHE, k.getFirst().getParent().resolve("javacpp-cache").toString());
            }
            RuntimeClassLoader loader = new RuntimeClassLoader("tensorflow", k, BRIDGE_PACKAGE);
            try {
                return loader.create(BRIDGE_PACKAGE + ".TensorFlowNets", TensorFlowNet.Loader.class);
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new IllegalStateException("cannot load TensorFlow Java from " + k + ": " + e, e);
            }
        });
    }
}
