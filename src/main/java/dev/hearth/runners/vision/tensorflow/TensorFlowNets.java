package dev.hearth.runners.vision.tensorflow;

import dev.hearth.runners.vision.TensorFlowNet;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * TensorFlow Java (from the {@code org.tensorflow} jars in the artifact cache, natives inside) running TF.js graph
 * models converted by {@link TfjsGraph}. Loaded only by {@code RuntimeClassLoader}; never name this class in code
 * that Hearth's own loader runs.
 */
public final class TensorFlowNets implements TensorFlowNet.Loader {

    public TensorFlowNets() {
        // Loads libtensorflow (JavaCPP extracts it from the natives jar on first use, into the folder TensorFlowRuntime names).
        TensorFlow.version();
    }

    @Override
    public TensorFlowNet tfjsGraph(Path modelJson, String output) {
        TfjsGraph model;
        try {
            model = TfjsGraph.load(modelJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the TF.js graph model " + modelJson + ": " + e.getMessage(), e);
        }
        Graph graph = new Graph();
        try {
            graph.importGraphDef(model.graph());
            if (graph.operation(output) == null) throw new IllegalArgumentException(modelJson + " has no output '" + output + "'");
            return new TfNet(graph, new Session(graph), model.input(), model.inputShape(), output);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    private record TfNet(Graph graph, Session session, String input, int[] inputShape, String output) implements TensorFlowNet {
        @Override
        public float[] run(float[] nhwc) {
            long[] dims = new long[inputShape.length];
            for (int i = 0; i < dims.length; i++) dims[i] = inputShape[i];
            // Session.run is thread-safe: concurrent calls share the graph's weights.
            try (TFloat32 in = TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(nhwc, true, false));
                 Result result = session.runner().feed(input, in).fetch(output).run()) {
                TFloat32 out = (TFloat32) result.get(0);
                float[] values = new float[Math.toIntExact(out.size())];
                out.copyTo(DataBuffers.of(values, false, false));
                return values;
            }
        }

        @Override
        public void close() {
            session.close();
            graph.close();
        }
    }
}
