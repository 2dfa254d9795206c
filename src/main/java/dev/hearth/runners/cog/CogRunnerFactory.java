package dev.hearth.runners.cog;

import dev.hearth.net.Outbound;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Runner type {@code cog}: a model served by Cog-protocol servers at {@code url} (or a list {@code urls}).
 * Booting waits, up to {@code boot_timeout} seconds (default 600), until a server's health check says READY
 * or BUSY; STARTING is waited for, SETUP_FAILED fails the boot with the server's setup logs. Jobs then go to
 * all the servers round-robin: one that is down or still starting is skipped until it answers. Parameters
 * whose names differ between the catalog and the Cog model are renamed with {@code rename: {from: to}}.
 */
public final class CogRunnerFactory implements RunnerFactory {

    public static final String TYPE = "cog";

    private final Outbound http = CogClient.newHttpClient();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        List<String> urls = new ArrayList<>(spec.texts("url"));
        urls.addAll(spec.texts("urls"));
        if (urls.isEmpty()) throw new IllegalArgumentException("runner 'cog' needs 'url' (or 'urls'): the base URL of a Cog server");
        List<CogClient> servers = urls.stream().map(u -> new CogClient(u, http)).toList();
        long deadline = System.nanoTime() + spec.integer("boot_timeout", 600) * 1_000_000_000L;
        awaitAnyReady(servers, deadline, progress);
        return new CogRunner(servers, new CogPredictions(new CogOutputs(http), spec.output(), rename(spec)));
    }

    /**
     * Polls the servers' health until one is READY or BUSY. Throws when every server's setup failed, or when
     * none is ready by the deadline, naming what each said last.
     */
    static void awaitAnyReady(List<CogClient> servers, long deadline, BootProgress progress) throws Exception {
        long start = System.nanoTime();
        Map<CogClient, CogClient.HealthReport> last = new LinkedHashMap<>();
        while (true) {
            int failed = 0;
            for (CogClient c : servers) {
                CogClient.HealthReport h = c.health();
                CogClient.HealthReport before = last.put(c, h);
                switch (h.status()) {
                    case READY, BUSY -> {
                        progress.step(String.format(Locale.ROOT, "%s is %s after %.1f s", c.url(), h.status(), (System.nanoTime() - start) / 1e9));
                        return;
                    }
                    case SETUP_FAILED, DEFUNCT -> failed++;
                    default -> {
                        if (before == null || before.status() != h.status()) {
                            progress.step("waiting for " + c.url() + ": " + h.status().name().toLowerCase(Locale.ROOT));
                        }
                    }
                }
            }
            if (failed == servers.size() || System.nanoTime() - deadline > 0) {
                StringBuilder why = new StringBuilder(failed == servers.size() ? "the model's setup failed on every Cog server:" : "no Cog server was ready within the boot timeout:");
                last.forEach((c, h) -> {
                    why.append(' ').append(c.url()).append(" said ").append(h.status());
                    if (h.status() == CogClient.Health.SETUP_FAILED && !h.setupLogs().isBlank()) why.append(" (setup logs end with: ").append(tail(h.setupLogs())).append(')');
                    why.append(';');
                });
                throw new IOException(why.substring(0, why.length() - 1));
            }
            Thread.sleep(100);
        }
    }

    /** {@code rename: {catalog_name: worker_name}}: parameters whose names differ between the catalog and the model. */
    public static Map<String, String> rename(RunnerSpec spec) {
        Map<String, String> m = new LinkedHashMap<>();
        spec.params().path("rename").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    static String tail(String logs) {
        String t = logs.strip();
        return t.length() > 600 ? "..." + t.substring(t.length() - 600) : t;
    }
}
