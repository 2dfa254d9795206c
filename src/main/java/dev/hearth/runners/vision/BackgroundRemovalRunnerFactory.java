package dev.hearth.runners.vision;

import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.util.Locale;

/**
 * Boots MediaPipe's selfie segmentation on OpenCV's DNN module. Catalog parameters: {@code runtime} (the
 * {@code org.openpnp:opencv} jar) and {@code model} (the TFLite file of {@code @mediapipe/selfie_segmentation}),
 * resolved by the artifact cache; {@code max_pixels} (largest image accepted, default 40 MP).
 */
public final class BackgroundRemovalRunnerFactory implements RunnerFactory {

    public static final String TYPE = "selfie-segmentation";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        long start = System.nanoTime();
        long maxPixels = Long.parseLong(spec.text("max_pixels", "40000000").trim());
        PersonSegmenter segmenter = new PersonSegmenter(OpenCvRuntime.net(spec, "model", progress));
        progress.step(String.format(Locale.ROOT, "ready in %.1f s", (System.nanoTime() - start) / 1e9));
        return new BackgroundRemovalRunner(segmenter, maxPixels);
    }
}
