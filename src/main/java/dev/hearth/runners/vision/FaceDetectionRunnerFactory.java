package dev.hearth.runners.vision;

import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.util.Locale;

/**
 * Boots MediaPipe's BlazeFace detectors on OpenCV's DNN module. Catalog parameters: {@code runtime} (the
 * {@code org.openpnp:opencv} jar, natives inside), {@code short_range} and {@code full_range} (the two TFLite models
 * of {@code @mediapipe/face_detection}), all resolved by the artifact cache; {@code max_pixels} (largest image
 * accepted, default 40 MP).
 */
public final class FaceDetectionRunnerFactory implements RunnerFactory {

    public static final String TYPE = "blazeface";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        long start = System.nanoTime();
        long maxPixels = Long.parseLong(spec.text("max_pixels", "40000000").trim());
        BlazeFace shortRange = new BlazeFace(OpenCvRuntime.net(spec, "short_range", progress), BlazeFace.Variant.SHORT);
        BlazeFace fullRange = new BlazeFace(OpenCvRuntime.net(spec, "full_range", progress), BlazeFace.Variant.FULL);
        progress.step(String.format(Locale.ROOT, "ready in %.1f s", (System.nanoTime() - start) / 1e9));
        return new FaceDetectionRunner(shortRange, fullRange, maxPixels);
    }
}
