package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.hearth.http.Json;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A caller waiting for a model's first boot sees it: the v2 status says PROCESSING with a {@code boot} detail
 * and progress, the model's status carries the step and its progress, and the dashboard's model page shows
 * both while its playground call waits. The model here is a test runner whose boot reports a download step
 * and then waits for the test to let it finish: it checks plumbing and is never offered as a model.
 */
class BootStatusIT {

    static HearthServer server;
    static final CountDownLatch release = new CountDownLatch(1);
    static final CountDownLatch releaseSecond = new CountDownLatch(1);

    /** Boots by reporting "weights: 1.0 MB / 4.0 MB (25%)", then waits for {@code release} (or its own latch). */
    static final class GatedBoot implements RunnerFactory {
        @Override
        public String type() {
            return "gated-boot";
        }

        @Override
        public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
            progress.step("downloading weights from the registry (4.0 MB)");
            progress.step("weights: 1.0 MB / 4.0 MB (25%)");
            CountDownLatch gate = spec.text("gate", "first").equals("first") ? release : releaseSecond;
            if (!gate.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("the test never released the boot");
            return input -> new RunOutput.Json(Json.object().put("booted", true), 0);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path catalog = Files.createTempDirectory("hearth-catalog");
        for (String gate : new String[]{"first", "second"}) {
            Files.writeString(catalog.resolve("gated-" + gate + ".yaml"), """
                    slug: gated-%s
                    title: gated boot (test only)
                    category: test
                    pricing: {type: per_call, price: 0.01}
                    runner: {type: gated-boot, gate: %s}
                    scaling: {execution_timeout: 60, idle_timeout: 300, slots: 1}
                    input_schema: {type: object}
                    """.formatted(gate, gate));
        }
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", catalog.toString()), Map.of("gated-boot", new GatedBoot()));
    }

    @AfterAll
    static void stop() {
        release.countDown();
        releaseSecond.countDown();
        if (server != null) server.close();
    }

    @Test
    void aV2RequestWaitingForABootSaysSo() {
        String key = server.createAccount("Boot Watcher", "pro", "1").get("api_key").asText();
        JsonNode submitted = server.post("/v2/gated-first", key, "{}").json();
        String statusPath = "/v2/requests/" + submitted.get("request_id").asText() + "/status";

        JsonNode booting = await().atMost(30, TimeUnit.SECONDS).until(() -> server.get(statusPath, key).json(), s -> s.has("boot"));
        assertThat(booting.get("status").asText()).isEqualTo("PROCESSING");
        assertThat(booting.get("boot").get("state").asText()).isEqualTo("booting");
        assertThat(booting.get("boot").get("detail").asText()).isEqualTo("weights: 1.0 MB / 4.0 MB (25%)");
        assertThat(booting.get("boot").get("progress").asDouble()).isEqualTo(0.25);
        JsonNode model = server.get("/v1/models/gated-first", key).json();
        assertThat(model.get("status").asText()).isEqualTo("booting");
        assertThat(model.get("boot_progress").asDouble()).isEqualTo(0.25);

        release.countDown();
        JsonNode done = await().atMost(30, TimeUnit.SECONDS).until(() -> server.get(statusPath, key).json(),
                s -> s.get("status").asText().equals("COMPLETED"));
        assertThat(done.has("boot")).isFalse();
        assertThat(server.get("/v1/models/gated-first", key).json().get("boot_progress").isNull()).isTrue();
    }

    @Test
    void theModelPageShowsTheBootWhileThePlaygroundWaits() throws Exception {
        try (Chromium chromium = Chromium.launchOrSkip(); Chromium.Watched watched = chromium.watched(1280, 860, 30_000)) {
            String key = server.createAccount("Boot Page", "pro", "1").get("api_key").asText();
            Page page = watched.signIn(server.base, key);
            page.navigate(server.base + "/#/models/gated-second");
            page.waitForSelector("#run");
            page.click("#run");
            page.waitForSelector("#model-boot-progress");
            assertThat(page.textContent("#model-status")).contains("booting").contains("weights: 1.0 MB / 4.0 MB (25%)");
            assertThat(page.getAttribute("#model-boot-progress", "value")).isEqualTo("0.25");
            releaseSecond.countDown();
            page.waitForSelector("#run-code");
            page.waitForSelector("#model-status:has-text('warm')");
            assertThat(page.locator("#model-boot-progress").count()).isZero();
        }
    }
}
