package dev.hearth.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.artifacts.ArtifactCache;
import dev.hearth.artifacts.ResolvingRunnerFactory;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.esrgan.EsrganRunnerFactory;
import dev.hearth.runners.ocr.OcrRunnerFactory;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Timings for the image models, run as plain programs (single calls of seconds do not need JMH's machinery):
 * {@code boot} — first boot with a download into an empty cache vs a boot from the cache vs a warm call;
 * {@code esrgan} — x4 time per input megapixel at several sizes; {@code memory} — one 1024×1024 x4 call with
 * the peak heap and resident memory; {@code ocr} — time per page. bench/image-models.sh runs them all; the
 * numbers are in bench/ESRGAN.md. Each runs the catalog's own runner entry, as a call through Hearth would.
 */
public final class ImageModelsBench {

    static final Catalog CATALOG = Catalog.load("");

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "esrgan";
        Path cacheDir = Path.of(System.getProperty("artifacts", "target/test-artifacts"));
        switch (mode) {
            case "boot" -> boot();
            case "esrgan" -> esrgan(cache(cacheDir), args.length > 1 ? args[1] : "128,256,512,1024");
            case "memory" -> memory(cache(cacheDir));
            case "ocr" -> ocr(cache(cacheDir));
            default -> throw new IllegalArgumentException("modes: boot, esrgan [sizes], memory, ocr");
        }
    }

    static ArtifactCache cache(Path dir) {
        return new ArtifactCache(dir, URI.create(System.getProperty("maven", "https://repo.maven.apache.org/maven2")),
                URI.create(System.getProperty("npm", "https://registry.npmjs.org")), Duration.ofSeconds(120));
    }

    static Runner boot(ArtifactCache cache, String slug, RunnerFactory factory) throws Exception {
        ModelSpec spec = CATALOG.resolve(slug);
        return new ResolvingRunnerFactory(factory, cache).boot(spec.runner(), step -> { });
    }

    static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /**
     * CPU seconds used by this process so far (all threads, JIT and GC included). On a shared machine the wall
     * clock mostly measures the neighbours; CPU time is what the work itself costs.
     */
    static double cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    static void boot() throws Exception {
        Path dir = Files.createTempDirectory("hearth-bench-artifacts");
        try {
            for (String slug : List.of("esrgan", "ocr")) {
                RunnerFactory factory = slug.equals("esrgan") ? new EsrganRunnerFactory() : new OcrRunnerFactory();
                ObjectNode params = slug.equals("esrgan") ? esrganParams(image(128, 128), 4) : ocrParams();
                long t = System.nanoTime();
                Runner first = boot(cache(dir), slug, factory);
                double download = seconds(t);
                first.close();
                t = System.nanoTime();
                Runner warm = boot(cache(dir), slug, factory);
                double cached = seconds(t);
                t = System.nanoTime();
                warm.run(new RunInput("bench", params, null));
                double firstCall = seconds(t);
                double call = Double.MAX_VALUE;
                for (int i = 0; i < 5; i++) {
                    t = System.nanoTime();
                    warm.run(new RunInput("bench", params, null));
                    call = Math.min(call, seconds(t));
                }
                warm.close();
                System.out.printf(Locale.ROOT, "%-7s first boot (download + verify + unpack + load) %.2f s | boot from cache %.2f s | first call %.2f s | warm call %.3f s (best of 5; %s)%n",
                        slug, download, cached, firstCall, call, slug.equals("esrgan") ? "128x128 x4 -> jpeg" : "3-line page 1400x330");
            }
        } finally {
            deleteTree(dir);
        }
    }

    static void esrgan(ArtifactCache cache, String sizes) throws Exception {
        try (Runner runner = boot(cache, "esrgan", new EsrganRunnerFactory())) {
            runner.run(new RunInput("warm-up", esrganParams(image(128, 128), 4), null));
            for (String s : sizes.split(",")) {
                int n = Integer.parseInt(s.trim());
                ObjectNode params = esrganParams(image(n, n), 4);
                int runs = n >= 1024 ? 2 : n >= 512 ? 3 : 5;
                double best = Double.MAX_VALUE;
                double bestCpu = Double.MAX_VALUE;
                for (int i = 0; i < runs; i++) {
                    long t = System.nanoTime();
                    double c = cpu();
                    runner.run(new RunInput("bench", params, null));
                    best = Math.min(best, seconds(t));
                    bestCpu = Math.min(bestCpu, cpu() - c);
                }
                double mp = n * (double) n / 1e6;
                System.out.printf(Locale.ROOT, "esrgan x4 %4dx%-4d -> %5dx%-5d jpeg: wall %7.2f s, CPU %7.2f s (best of %d) = %6.1f CPU-s and %6.1f wall-s per input megapixel%n",
                        n, n, 4 * n, 4 * n, best, bestCpu, runs, bestCpu / mp, best / mp);
            }
        }
    }

    static void memory(ArtifactCache cache) throws Exception {
        try (Runner runner = boot(cache, "esrgan", new EsrganRunnerFactory())) {
            ObjectNode params = esrganParams(image(1024, 1024), 4);
            System.gc();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) pool.resetPeakUsage();
            long baseline = heapUsed();
            long t = System.nanoTime();
            double c = cpu();
            RunOutput out = runner.run(new RunInput("bench", params, null));
            double took = seconds(t);
            double cpuTook = cpu() - c;
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
            }
            System.out.printf(Locale.ROOT, "esrgan x4 1024x1024 -> 4096x4096 jpeg: wall %.1f s, CPU %.1f s (%d KB out); heap before %d MB, peak heap (sum of pool peaks) %d MB, max heap %d MB, peak RSS %s%n",
                    took, cpuTook, ((RunOutput.Media) out).bytes().length / 1024, baseline >> 20, peak >> 20,
                    Runtime.getRuntime().maxMemory() >> 20, vmHwm());
        }
    }

    static void ocr(ArtifactCache cache) throws Exception {
        try (Runner runner = boot(cache, "ocr", new OcrRunnerFactory())) {
            ObjectNode params = ocrParams();
            runner.run(new RunInput("warm-up", params, null));
            double total = 0, best = Double.MAX_VALUE, cpuTotal = 0;
            int runs = 10;
            for (int i = 0; i < runs; i++) {
                long t = System.nanoTime();
                double c = cpu();
                runner.run(new RunInput("bench", params, null));
                double s = seconds(t);
                cpuTotal += cpu() - c;
                total += s;
                best = Math.min(best, s);
            }
            System.out.printf(Locale.ROOT, "ocr 3-line page 1400x330: wall mean %.3f s, best %.3f s; CPU mean %.3f s per page over %d calls (1 onnxruntime thread)%n",
                    total / runs, best, cpuTotal / runs, runs);
        }
    }

    static long heapUsed() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static String vmHwm() {
        return procStatus("VmHWM");
    }

    /** A line of /proc/self/status ({@code VmHWM}: peak resident memory, {@code VmRSS}: resident now), or "?". */
    static String procStatus(String field) {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(field + ":"))
                    .map(l -> l.replaceAll("\\s+", " ").substring(field.length() + 2)).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A smooth synthetic photo-like image (gradients and circles): the network's cost does not depend on content. */
    static BufferedImage image(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new java.awt.GradientPaint(0, 0, new Color(30, 80, 160), w, h, new Color(240, 200, 120)));
        g.fillRect(0, 0, w, h);
        for (int i = 0; i < 12; i++) {
            g.setColor(new Color((i * 53) % 255, (i * 97) % 255, (i * 151) % 255, 180));
            g.fillOval((i * 37 * w / 100) % w, (i * 61 * h / 100) % h, w / 5, h / 5);
        }
        g.dispose();
        return img;
    }

    static String dataUrl(BufferedImage img) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static ObjectNode esrganParams(BufferedImage img, int scale) throws IOException {
        return JsonNodeFactory.instance.objectNode().put("image", dataUrl(img)).put("scale", scale).put("output_format", "jpeg").put("quality", 95);
    }

    static ObjectNode ocrParams() throws IOException {
        BufferedImage img = new BufferedImage(1400, 330, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 1400, 330);
        g.setColor(Color.BLACK);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font("DejaVu Sans", Font.PLAIN, 40));
        g.drawString("Invoice 2024 117 for 3 units of Widget A", 40, 80);
        g.drawString("Hearth runs models on plain CPUs", 40, 160);
        g.drawString("The quick brown fox jumps over the lazy dog", 40, 240);
        g.dispose();
        return JsonNodeFactory.instance.objectNode().put("image", dataUrl(img));
    }
}
