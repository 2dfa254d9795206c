package dev.hearth.it;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.hearth.LoudSkip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser the dashboard tests drive: Debian's chromium, headless, through Playwright, which never downloads
 * a browser. Without chromium the tests are skipped loudly, except under CI, where they fail. Each test opens a
 * {@link Watched} context, which records every URL the page asked for and every console error, so the test
 * can check afterwards that no key travelled in a URL and that nothing was refused by the CSP.
 */
final class Chromium implements AutoCloseable {

    static final Path EXECUTABLE = Path.of("/usr/bin/chromium");
    /** Screenshots go to target/screenshots, or to -Dhearth.screenshots (docs/screenshots for the docs). */
    static final Path SHOTS = Path.of(System.getProperty("hearth.screenshots", "target/screenshots"));

    private final Playwright playwright;
    final Browser browser;

    private Chromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    /** Launches chromium, or aborts the test class (skipped) when it is missing outside CI. */
    static Chromium launchOrSkip() throws IOException {
        if (!Files.isExecutable(EXECUTABLE)) {
            String msg = "chromium is not installed at " + EXECUTABLE + " (apt-get install -y chromium)";
            LoudSkip.unavailable("Chromium (the browser tests)", msg, null);
        }
        Files.createDirectories(SHOTS);
        Playwright pw = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        Browser b = pw.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(EXECUTABLE).setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage")));
        return new Chromium(pw, b);
    }

    /** A new context of this viewport size that records URLs and console errors; dialogs are accepted. */
    Watched watched(int width, int height, long timeoutMillis) {
        return watched(width, height, timeoutMillis, false);
    }

    /** The same; with {@code everyError}, a 4xx answer the browser logs counts as a console error too. */
    Watched watched(int width, int height, long timeoutMillis, boolean everyError) {
        BrowserContext c = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, height).setAcceptDownloads(true));
        Watched w = new Watched(c);
        c.setDefaultTimeout(timeoutMillis);
        c.onRequest(r -> w.urls.add(r.url()));
        c.onConsoleMessage(m -> {
            // the browser logs every 4xx answer; the pages get some on purpose (a refused key, an
            // invalid graph) and the tests check those answers themselves
            if (m.type().equals("error") && (everyError || !m.text().startsWith("Failed to load resource: the server responded with a status of 4"))) {
                w.consoleErrors.add(m.text());
            }
        });
        c.onPage(p -> p.onDialog(d -> d.accept()));
        return w;
    }

    /** A browser context and what it saw. */
    static final class Watched implements AutoCloseable {
        final BrowserContext context;
        final List<String> urls = Collections.synchronizedList(new ArrayList<>());
        final List<String> consoleErrors = Collections.synchronizedList(new ArrayList<>());

        Watched(BrowserContext context) {
            this.context = context;
        }

        /** Opens the dashboard and signs in with {@code apiKey}. */
        Page signIn(String base, String apiKey) {
            Page page = context.newPage();
            page.navigate(base + "/");
            page.fill("#signin-key", apiKey);
            page.click("#signin-form button[type=submit]");
            page.waitForSelector("#shell:not([hidden])");
            return page;
        }

        /** Closes the context, then checks that keys travelled only in headers and that the page logged no error. */
        @Override
        public void close() {
            context.close();
            assertThat(urls).isNotEmpty().noneMatch(u -> u.contains("SG_"));
            assertThat(consoleErrors).as("console errors (CSP violations appear here)").isEmpty();
        }
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
