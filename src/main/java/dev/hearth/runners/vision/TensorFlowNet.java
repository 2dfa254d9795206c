package dev.hearth.runners.vision;

import java.nio.file.Path;

/**
 * A TensorFlow graph run by TensorFlow Java from the artifact cache (loaded by {@code RuntimeClassLoader}): float
 * tensors in, float tensors out, nothing of the runtime's types in between. Closing it frees the graph and its
 * session (the runtime's native code stays loaded, see {@link TensorFlowRuntime}).
 */
public interface TensorFlowNet extends AutoCloseable {

    /** Loads graphs: the one public entry of a bridge (its no-argument constructor loads the runtime's natives). */
    interface Loader {
        /**
         * A TF.js graph model ({@code model.json} with its weight shards beside it) that reads one image and answers
         * the tensor named {@code output}.
         */
        TensorFlowNet tfjsGraph(Path modelJson, String output);
    }

    /** The graph's input: its name and NHWC shape {@code [1, height, width, channels]}. */
    String input();

    int[] inputShape();

    /** Runs the graph on one NHWC float image of {@link #inputShape()}; answers the output, flattened. Thread-safe. */
    float[] run(float[] nhwc);

    @Override
    void close();
}
