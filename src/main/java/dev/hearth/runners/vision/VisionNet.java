package dev.hearth.runners.vision;

import java.nio.file.Path;
import java.util.Map;

/**
 * A vision network run by a runtime from the artifact cache (OpenCV's DNN module, loaded by
 * {@code RuntimeClassLoader}): float tensors in, float tensors out, nothing of the runtime's types in between.
 */
public interface VisionNet {

    /** Loads networks: the one public entry of a bridge (its no-argument constructor loads the runtime's natives). */
    interface Loader {
        /** A TensorFlow Lite model file. */
        VisionNet tflite(Path model);
    }

    /**
     * Runs the network on one image as an NCHW float tensor ({@code 1 × channels × height × width}, the layout the
     * runtime's importer expects); answers every output, flattened, by output name. Safe to call from several
     * threads (calls take turns on one network).
     */
    Map<String, float[]> forward(float[] nchw, int channels, int height, int width);
}
