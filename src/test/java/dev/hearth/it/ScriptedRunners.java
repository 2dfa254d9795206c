package dev.hearth.it;

import dev.hearth.http.Json;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A runner type for exercising the gateway's failure paths (a model that throws, one that never finishes,
 * one that cannot boot). It lives only in tests and is never offered as a model: it checks plumbing.
 */
final class ScriptedRunners implements RunnerFactory {

    final java.util.concurrent.atomic.AtomicInteger boots = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public String type() {
        return "scripted";
    }

    @Override
    public Runner boot(dev.hearth.runners.RunnerSpec spec, dev.hearth.runners.BootProgress progress) throws Exception {
        String behaviour = spec.requiredText("behaviour");
        boots.incrementAndGet();
        Thread.sleep(Long.parseLong(spec.text("boot_millis", "0")));
        if (behaviour.equals("boot-fails")) throw new IOException("weights file is corrupt (scripted)");
        return input -> switch (behaviour) {
            case "throws" -> throw new IllegalStateException("scripted model failure");
            case "hangs" -> {
                Thread.sleep(60_000);
                yield new RunOutput.Json(Json.object(), 0);
            }
            case "sleeps" -> {
                Thread.sleep(input.params().path("millis").asLong(500));
                yield new RunOutput.Json(Json.object().put("slept", true), 0);
            }
            case "echo" -> new RunOutput.Json(Json.object().set("echo", input.params()), 0);
            case "image" -> new RunOutput.Media(png(input.params().path("width").asInt(4)), "image/png", null);
            case "slow" -> {
                Thread.sleep(3_000);
                yield new RunOutput.Json(Json.object().set("echo", input.params()), 0);
            }
            default -> throw new IllegalArgumentException(behaviour);
        };
    }

    /** A PNG {@code width} pixels wide (at most 256) and half as high, a colour gradient drawn here: the "image" behaviour's output. */
    static byte[] png(int width) {
        try {
            int w = Math.max(2, Math.min(width, 256));
            var img = new java.awt.image.BufferedImage(w, w / 2, java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int x = 0; x < w; x++) {
                for (int y = 0; y < w / 2; y++) img.setRGB(x, y, (255 * x / w) << 16 | (255 * 2 * y / w) << 8 | 0x80);
            }
            var out = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Writes catalog entries using this runner into a folder for {@code catalog.dir}. */
    static Path catalogDir() throws IOException {
        Path dir = Files.createTempDirectory("hearth-catalog");
        for (String b : new String[]{"throws", "hangs", "boot-fails", "echo", "sleeps"}) {
            Files.writeString(dir.resolve("scripted-" + b + ".yaml"), """
                    slug: scripted-%s
                    title: scripted %s (test only)
                    category: test
                    pricing: {type: per_call, price: 0.01}
                    runner: {type: scripted, behaviour: %s}
                    scaling: {execution_timeout: %d, idle_timeout: 300, slots: 1}
                    input_schema:
                      type: object
                      properties:
                        seed: {type: integer, default: 42}
                        millis: {type: integer}
                    """.formatted(b, b, b, b.equals("sleeps") ? 30 : 1));
        }
        Files.writeString(dir.resolve("slow-boot.yaml"), """
                slug: scripted-slow-boot
                pricing: {type: per_call, price: 0.01}
                runner: {type: scripted, behaviour: echo, boot_millis: 1500}
                scaling: {execution_timeout: 5, idle_timeout: 1, slots: 4}
                input_schema: {type: object}
                """);
        Files.writeString(dir.resolve("scripted-slow.yaml"), """
                slug: scripted-slow
                title: scripted slow (test only; answers after 3 s)
                category: test
                pricing: {type: per_call, price: 0.01}
                runner: {type: scripted, behaviour: slow}
                scaling: {execution_timeout: 30, idle_timeout: 300, slots: 8}
                input_schema: {type: object}
                """);
        Files.writeString(dir.resolve("retired.yaml"), """
                slug: old-model
                retired: true
                pricing: {type: per_call, price: 0.01}
                runner: {type: scripted, behaviour: echo}
                input_schema: {type: object}
                """);
        return dir;
    }
}
