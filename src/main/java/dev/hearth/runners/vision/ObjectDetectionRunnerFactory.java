package dev.hearth.runners.vision;

import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Boots CenterNet-MobileNetV3 (a TF.js graph model) on TensorFlow Java. Catalog parameters, all resolved by the
 * artifact cache: the runtime's jars {@link #RUNTIME_JARS} (TensorFlow Java's API, its Java and native halves, ndarray,
 * JavaCPP, protobuf), {@code model} (the graph's {@code model.json}; its weight shards are read from beside it) and
 * {@code weights} (the shard, named so that {@code hearth models pull} fetches it too); {@code max_pixels} (largest
 * image accepted, default 40 MP).
 */
public final class ObjectDetectionRunnerFactory implements RunnerFactory {

    public static final String TYPE = "centernet";
    /** The runner parameters that name TensorFlow Java's jars, in class path order. */
    static final List<String> RUNTIME_JARS = List.of("runtime", "runtime_native", "runtime_natives", "ndarray", "javacpp", "protobuf");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        long start = System.nanoTime();
        long maxPixels = Long.parseLong(spec.text("max_pixels", "40000000").trim());
        List<Path> jars = new ArrayList<>();
        for (String name : RUNTIME_JARS) jars.add(file(spec, name));
        Path model = file(spec, "model");
        file(spec, "weights");
        progress.step("loading TensorFlow Java");
        TensorFlowNet.Loader tensorflow = TensorFlowRuntime.at(jars);
        progress.step("loading " + model.getFileName());
        TensorFlowNet net = tensorflow.tfjsGraph(model, CenterNet.OUTPUT);
        try {
            // The first run builds TensorFlow's kernels: pay it in the boot, not in the first call.
            net.run(new float[net.inputShape()[1] * net.inputShape()[2] * 3]);
            progress.step(String.format(Locale.ROOT, "ready in %.1f s", (System.nanoTime() - start) / 1e9));
            return new ObjectDetectionRunner(net, maxPixels);
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    private static Path file(RunnerSpec spec, String name) {
        Path p = Path.of(spec.requiredText(name));
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException("runner '" + TYPE + "': no file at " + p + " for '" + name + "'");
        return p;
    }
}
