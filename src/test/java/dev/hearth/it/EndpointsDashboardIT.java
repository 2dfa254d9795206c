package dev.hearth.it;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.WaitForSelectorState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoints page in a real browser (Debian's chromium, headless): create an endpoint with one warm worker,
 * watch it become ready with its worker shown, edit it, delete it. Like DashboardIT, it checks that no request
 * URL carried a key and that the page raised no console error.
 */
class EndpointsDashboardIT {

    private static final Path SHOTS = Chromium.SHOTS;

    static HearthServer server;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        chromium = Chromium.launchOrSkip();
        server = HearthServer.start(HearthServer.Store.SQLITE, EndpointsIT.config(), Map.of("tagged", new EndpointsIT.TaggedRunners()));
    }

    @AfterAll
    static void stop() {
        if (chromium != null) chromium.close();
        if (server != null) server.close();
    }

    @Test
    void createWatchItBecomeReadyEditAndDelete() {
        String key = server.createAccount("Endpoints Team", "pro", "5").get("api_key").asText();
        // closing the context checks that no URL carried the key and that the page logged no error
        try (Chromium.Watched c = chromium.watched(1280, 900, 30_000)) {
            Page page = c.signIn(server.base, key);

            page.click("#nav a[href='#/endpoints']");
            page.waitForSelector("#endpoint-form");
            page.fill("#ep-name", "my-tagged");
            page.selectOption("#ep-model", "tagged");
            page.fill("#ep-min", "1");
            page.fill("#ep-max", "2");
            page.selectOption("#ep-gpu", "cpu");
            page.click("#ep-save");

            // the page polls: the endpoint shows up, deploys, and becomes ready with one ready worker
            Locator row = page.locator("tr[data-endpoint-name='my-tagged']");
            assertThat(row.locator(".ep-status .badge")).hasText("ready", new LocatorAssertions.HasTextOptions().setTimeout(15_000));
            assertThat(row.locator(".ep-count")).hasText("1 up (1–2)");
            assertThat(row.locator(".ep-worker-states .badge")).hasText("ready");
            page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("endpoints.png")));

            // edit: two warm workers
            row.locator(".ep-edit").click();
            page.fill("#ep-min", "2");
            page.click("#ep-save");
            assertThat(row.locator(".ep-count")).hasText("2 up (2–2)", new LocatorAssertions.HasTextOptions().setTimeout(15_000));

            // delete: gone from the list, and from the API
            row.locator(".ep-delete").click();
            page.locator("tr[data-endpoint-name='my-tagged']").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
            assertThat(server.get("/endpoint/list", key).json().get("endpoints")).isEmpty();
        }
    }
}
