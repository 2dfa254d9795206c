package dev.hearth.it;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.WaitForSelectorState;
import dev.hearth.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoints page in a real browser (Debian's chromium, headless): create an endpoint with one warm worker,
 * watch it become ready with its worker shown, edit it, delete it. Like DashboardIT, it checks that no request
 * URL carried a key and that the page raised no console error.
 */
class EndpointsDashboardIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path SHOTS = Path.of(System.getProperty("hearth.screenshots", "target/screenshots"));

    static HearthServer server;
    static Playwright playwright;
    static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            String msg = "chromium is not installed at " + CHROMIUM + " (apt-get install -y chromium)";
            if (TestDatabases.ci()) throw new AssertionError(msg + "; CI requires the browser tests");
            System.err.println("!!!!! SKIPPING browser tests: " + msg + " !!!!!");
            Assumptions.abort(msg);
        }
        Files.createDirectories(SHOTS);
        server = HearthServer.start(HearthServer.Store.SQLITE, EndpointsIT.config(), Map.of("tagged", new EndpointsIT.TaggedRunners()));
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM).setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage")));
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (playwright != null) playwright.close();
        if (server != null) server.close();
    }

    @Test
    void createWatchItBecomeReadyEditAndDelete() {
        String key = server.createAccount("Endpoints Team", "pro", "5").get("api_key").asText();
        List<String> urls = Collections.synchronizedList(new ArrayList<>());
        List<String> consoleErrors = Collections.synchronizedList(new ArrayList<>());
        try (BrowserContext c = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900))) {
            c.setDefaultTimeout(30_000);
            c.onRequest(r -> urls.add(r.url()));
            c.onConsoleMessage(m -> {
                if (m.type().equals("error") && !m.text().startsWith("Failed to load resource: the server responded with a status of 4")) {
                    consoleErrors.add(m.text());
                }
            });
            c.onPage(p -> p.onDialog(d -> d.accept()));
            Page page = c.newPage();
            page.navigate(server.base + "/");
            page.fill("#signin-key", key);
            page.click("#signin-form button[type=submit]");
            page.waitForSelector("#shell:not([hidden])");

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
        assertThat(urls).isNotEmpty().noneMatch(u -> u.contains("SG_"));
        assertThat(consoleErrors).as("console errors (CSP violations appear here)").isEmpty();
    }
}
