package dev.hearth.runners.esrgan;

import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Boots super-resolution models stored as TF.js layers models (UpscalerJS's ESRGAN/RDN weights), one network per
 * scale. Catalog parameters: {@code x2}, {@code x3}, {@code x4}, {@code x8} — the model.json of each scale offered
 * (usually {@code npm:@upscalerjs/esrgan-slim@1.0.0!/models/x4/model.json}, resolved by the artifact cache);
 * {@code threads} (default: the number of cores), {@code tile} (input pixels per tile side, default 256) and
 * {@code max_output_pixels} (default 4096², the largest result a call may ask for).
 */
public final class EsrganRunnerFactory implements RunnerFactory {

    public static final String TYPE = "esrgan";
    static final int[] SCALES = {2, 3, 4, 8};

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        long start = System.nanoTime();
        int threads = integer(spec, "threads", Runtime.getRuntime().availableProcessors());
        int tile = integer(spec, "tile", 256);
        long maxOutputPixels = integer(spec, "max_output_pixels", 4096 * 4096);
        Map<Integer, Upscaler> upscalers = new TreeMap<>();
        for (int scale : SCALES) {
            String location = spec.text("x" + scale, null);
            if (location == null) continue;
            progress.step("loading the x" + scale + " network");
            LayersModel model = LayersModel.load(Path.of(location));
            if (model.scale != scale) {
                throw new IllegalArgumentException("runner '" + TYPE + "': parameter 'x" + scale + "' names a x" + model.scale + " network (" + location + ")");
            }
            upscalers.put(scale, new Upscaler(model, tile));
        }
        if (upscalers.isEmpty()) throw new IllegalArgumentException("runner '" + TYPE + "' needs at least one of the parameters x2, x3, x4, x8");
        progress.step(String.format(Locale.ROOT, "ready in %.1f s (scales %s, %d threads, tiles of %d px)",
                (System.nanoTime() - start) / 1e9, upscalers.keySet(), threads, tile));
        return new EsrganRunner(upscalers, new RowPool(threads), maxOutputPixels);
    }

    private static int integer(RunnerSpec spec, String name, int fallback) {
        String value = spec.text(name, Integer.toString(fallback)).trim();
        try {
            int v = Integer.parseInt(value);
            if (v < 1) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("runner '" + TYPE + "': '" + name + "' must be a positive whole number, not '" + value + "'");
        }
    }
}
