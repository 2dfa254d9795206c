package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.hearth.http.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser (Debian's chromium, headless, driven by Playwright) against a real Hearth:
 * sign in, run an embedding model from the playground and see the vector, create and revoke a key, watch the
 * usage table and chart change after API calls, and the operator's account views. Every test also checks
 * that no request URL ever carried a key and that the page raised no console error (a CSP violation is one).
 * Screenshots go to target/screenshots, or to the folder in -Dhearth.screenshots (docs/screenshots for the README).
 */
class DashboardIT {

    private static final Path SHOTS = Chromium.SHOTS;
    private static final long WAIT_MS = 30_000;
    /** A model's first call boots it (loads its weights): allow for a slow shared machine. */
    private static final double BOOT_WAIT_MS = 180_000;

    static HearthServer server;
    static Chromium chromium;

    /** A fresh account per test (pro plan, $1 of free credits), so no test sees another's spending. */
    String key;
    Chromium.Watched watched;
    BrowserContext context;

    @BeforeAll
    static void start() throws Exception {
        chromium = Chromium.launchOrSkip();
        server = HearthServer.start(HearthServer.Store.SQLITE);
    }

    @AfterAll
    static void stop() {
        if (chromium != null) chromium.close();
        if (server != null) server.close();
    }

    @BeforeEach
    void openContext() {
        JsonNode acc = server.createAccount("Dashboard Team", "pro", "1");
        key = acc.get("api_key").asText();
        watched = chromium.watched(1280, 860, WAIT_MS);
        context = watched.context;
    }

    @AfterEach
    void closeContext() {
        // keys travel only in headers (no URL may contain one), and the page logged no error
        watched.close();
    }

    private Page signIn(String apiKey) {
        return watched.signIn(server.base, apiKey);
    }

    /** Real model calls through the API with this test's key. */
    private void call(String model, int times) {
        for (int i = 0; i < times; i++) {
            var r = server.post("/v1/" + model, key, Json.object().put("text", "dashboard call " + i));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
    }

    private static void shot(Page page, String name) {
        page.mouse().move(0, 0);  // no hover highlight in the pictures
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name)).setFullPage(true));
    }

    private static BigDecimal dollars(String text) {
        return new BigDecimal(text.replace("$", "").replace(",", "").trim());
    }

    @Test
    void aWrongKeyIsRefusedAndTheRightOneShowsTheOverview() {
        Page page = context.newPage();
        page.navigate(server.base + "/");
        page.fill("#signin-key", "SG_" + "x".repeat(32));
        page.click("#signin-form button[type=submit]");
        page.waitForSelector("#signin-error:not([hidden])");
        assertThat(page.textContent("#signin-error")).contains("invalid");
        // real calls first, so the overview has something to show: 3 + 2 texts at $0.0001 each
        call("bge-small-en-v1.5", 3);
        call("all-minilm-l6-v2", 2);
        page.fill("#signin-key", key);
        page.click("#signin-form button[type=submit]");
        page.waitForSelector("#card-credits");
        assertThat(page.textContent("#who")).isEqualTo("Account");
        assertThat(page.textContent("#card-free .stat-value")).isEqualTo("$0.9995");
        assertThat(page.textContent("#card-credits .stat-value")).isEqualTo("$0");
        assertThat(page.textContent("#card-today .stat-value")).isEqualTo("5");
        assertThat(page.textContent("#card-total .stat-value")).isEqualTo("5");
        assertThat(new BigDecimal(page.locator("svg.chart").getAttribute("data-total"))).isEqualByComparingTo("0.0005");
        assertThat(page.locator("figure.chart-box svg.chart").getAttribute("data-days")).isEqualTo("30");
        assertThat(page.url()).doesNotContain(key);
        shot(page, "overview.png");
    }

    @Test
    void thePlaygroundRunsAnEmbeddingModelAndShowsTheVector() {
        Page page = signIn(key);
        page.click("nav a[href='#/models']");
        Locator row = page.locator("tr[data-model='bge-small-en-v1.5']");
        row.waitFor();
        assertThat(row.textContent()).contains("$0.0001 per call");
        shot(page, "models.png");
        row.locator("a:has-text('Try it')").click();
        page.waitForSelector("#f-text");
        page.fill("#f-text", "Hearth runs models on your own machines.");
        page.click("#run");
        Locator vector = page.locator(".vector").first();
        vector.waitFor(new Locator.WaitForOptions().setTimeout(BOOT_WAIT_MS));
        assertThat(page.textContent("#run-code")).isEqualTo("200");
        assertThat(vector.getAttribute("data-dimensions")).isEqualTo("384");
        assertThat(vector.textContent()).contains("384 dimensions");
        assertThat(page.textContent("#run-cost")).isEqualTo("$0.0001");
        // the status badge follows the model: it booted for this call
        page.waitForSelector("#model-status .status-warm");
        shot(page, "playground.png");
    }

    @Test
    void aKeyIsCreatedShownOnceAndRevoked() {
        Page page = signIn(key);
        page.click("nav a[href='#/keys']");
        page.waitForSelector("#keys-list table");
        int before = page.locator("#keys-list tbody tr").count();
        page.fill("#key-name", "browser-test");
        page.click("#key-create");
        String newKey = page.inputValue("#key-created .secret");
        assertThat(newKey).matches("SG_[A-Za-z0-9]{32}");
        page.waitForCondition(() -> page.locator("#keys-list tbody tr").count() == before + 1);
        assertThat(server.get("/v1/get-user-credits", newKey).status()).isEqualTo(200);
        shot(page, "keys.png");

        Locator row = page.locator("#keys-list tbody tr", new Page.LocatorOptions().setHasText("browser-test"));
        row.locator("button:has-text('Revoke')").click();
        row.locator(".badge:has-text('revoked')").waitFor();
        assertThat(server.get("/v1/get-user-credits", newKey).status()).isEqualTo(401);
        // a reload shows the list without the secret: it was shown once
        page.reload();
        page.waitForSelector("#keys-list table");
        assertThat(page.locator("#key-created .secret").count()).isZero();
    }

    @Test
    void theUsageTableAndChartChangeAfterCallsAndExportAsCsv() throws Exception {
        Page page = signIn(key);
        page.click("nav a[href='#/usage']");
        page.waitForSelector("#usage-summary");
        BigDecimal chartBefore = new BigDecimal(page.locator("#usage-out svg.chart").getAttribute("data-total"));
        String minilmBefore = minilmInferences(page);

        for (int i = 0; i < 3; i++) {
            var r = server.post("/v1/all-minilm-l6-v2", key, Json.object().put("text", "usage call " + i));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        page.click(".filters button[type=submit]");
        page.waitForCondition(() -> !minilmInferences(page).equals(minilmBefore));
        int expected = (minilmBefore.isEmpty() ? 0 : Integer.parseInt(minilmBefore)) + 3;
        assertThat(minilmInferences(page)).isEqualTo(Integer.toString(expected));
        BigDecimal chartAfter = new BigDecimal(page.locator("#usage-out svg.chart").getAttribute("data-total"));
        assertThat(chartAfter.subtract(chartBefore)).isEqualByComparingTo("0.0003");
        assertThat(page.locator("#usage-out .legend").textContent()).contains("all-minilm-l6-v2");
        shot(page, "usage.png");

        Download csv = page.waitForDownload(() -> page.click("#usage-csv"));
        String text = Files.readString(csv.path());
        assertThat(text).startsWith("date,model,inferences,amount\r\n");
        assertThat(text).contains(",all-minilm-l6-v2," + expected + ",");

        // the model filter narrows the table to one model
        page.selectOption("#usage-model", "all-minilm-l6-v2");
        page.click(".filters button[type=submit]");
        page.waitForCondition(() -> page.locator(".usage-table tbody tr").allTextContents().stream().allMatch(t -> t.contains("all-minilm-l6-v2")));
    }

    /** The inferences cell of today's all-minilm row, or "" when there is none yet. */
    private static String minilmInferences(Page page) {
        Locator row = page.locator(".usage-table tbody tr", new Page.LocatorOptions().setHasText("all-minilm-l6-v2"));
        return row.count() == 0 ? "" : row.first().locator("td").nth(2).textContent().replace(",", "");
    }

    @Test
    void theAssetsPageSaysSoWhenStorageIsMissing() {
        Page page = signIn(key);
        page.click("nav a[href='#/assets']");
        page.waitForSelector("#assets-unavailable, #assets-list table");
        if (page.locator("#assets-unavailable").count() > 0) {
            assertThat(page.textContent("#assets-unavailable")).contains("Storage is not available");
        }
        assertThat(page.locator(".notice.error").count()).isZero();
    }

    @Test
    void theAdminCreatesAnAccountGrantsCreditsChangesThePlanAndSuspends() {
        Page page = signIn(HearthServer.ADMIN_KEY);
        assertThat(page.textContent("#who")).isEqualTo("Admin");
        page.waitForSelector("#card-accounts");
        shot(page, "admin-overview.png");
        page.click("nav a[href='#/admin/accounts']");
        page.waitForSelector("#accounts-list table");
        page.fill("#account-name", "Browser Co");
        page.fill("#account-plan", "pro");
        page.fill("#account-free", "0");
        page.click("#account-create");
        assertThat(page.inputValue("#account-created .secret")).matches("SG_[A-Za-z0-9]{32}");
        Locator row = page.locator("#accounts-list tbody tr", new Page.LocatorOptions().setHasText("Browser Co"));
        row.waitFor();
        shot(page, "admin-accounts.png");
        String id = row.getAttribute("data-account-id");

        row.locator("a").first().click();
        page.waitForSelector("#acct-credits");
        page.fill("#grant-amount", "5");
        page.click("#grant-submit");
        page.waitForCondition(() -> page.textContent("#acct-credits .stat-value").equals("$5.00"));
        assertThat(server.app.ledger.balance(id).paid()).isEqualTo(5_000_000_000L);

        page.fill("#plan-name", "enterprise");
        page.click("#plan-submit");
        page.waitForCondition(() -> page.locator("#view h1 + p").first().textContent().contains("plan enterprise"));

        page.click("#suspend");
        page.locator("h1 .badge:has-text('suspended')").waitFor();
        assertThat(server.get("/admin/accounts/" + id, HearthServer.ADMIN_KEY).json().get("status").asText()).isEqualTo("suspended");
        shot(page, "admin-account.png");
        page.click("#suspend");
        page.locator("h1 .badge:has-text('active')").waitFor();
    }

    @Test
    void thePagesFitAPhoneScreen() {
        watched.context.close();  // unused: this test needs a phone-sized one
        watched = chromium.watched(390, 844, WAIT_MS);
        context = watched.context;
        call("bge-small-en-v1.5", 2);
        Page page = signIn(key);
        page.waitForSelector("#card-credits");
        for (String route : new String[]{"#/", "#/usage", "#/keys", "#/models"}) {
            page.navigate(server.base + "/" + route);
            page.waitForSelector("main h1");
            page.waitForLoadState();
            // nothing wider than the screen: tables scroll inside their own box
            Object overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth");
            assertThat(((Number) overflow).intValue()).as("horizontal overflow on " + route).isLessThanOrEqualTo(0);
        }
        page.navigate(server.base + "/#/");
        page.waitForSelector("#card-credits");
        shot(page, "overview-phone.png");
    }
}
