package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.WaitForSelectorState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.hearth.TestArtifacts;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;

import javax.imageio.ImageIO;
import java.nio.file.Path;
import java.util.Map;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The generations page in a real browser (Debian's chromium, headless) against a real Hearth with real calls:
 * the account's calls newest first, filtered by model and by dates, a failed call with its error, and a stored
 * v2 image output opened in the page. Like DashboardIT, it checks that no request URL carried a key and that
 * the page raised no console error (a CSP violation is one).
 */
class GenerationsDashboardIT {

    private static final Path SHOTS = Chromium.SHOTS;

    static HearthServer server;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        chromium = Chromium.launchOrSkip();
        TestArtifacts.resolve(ImageModelsIT.ESRGAN + "models/x2/model.json");
        server = SegmindSdkIT.start(HearthServer.Store.SQLITE, Map.of("artifacts.dir", TestArtifacts.DIR.toString()));
    }

    @AfterAll
    static void stop() {
        if (chromium != null) chromium.close();
        if (server != null) server.close();
    }

    @Test
    void listFilterByModelAndDatesAndOpenAStoredOutput() {
        String key = server.createAccount("Generations Team", "pro", "1").get("api_key").asText();
        for (int i = 0; i < 2; i++) assertThat(server.post("/v1/scripted-echo", key, "{}").status()).isEqualTo(200);
        assertThat(server.post("/v1/scripted-throws", key, "{}").status()).isEqualTo(500);
        String imageId = server.post("/v2/sdk-image", key, "{\"width\": 160}").json().get("request_id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/v2/requests/" + imageId + "/status", key).json()
                .path("status").asText().equals("COMPLETED"));

        try (Chromium.Watched c = chromium.watched(1280, 900, 30_000)) {
            Page page = c.signIn(server.base, key);
            page.click("#nav a[href='#/generations']");
            assertThat(page.locator("#gen-summary")).hasText("4 generations");
            Locator rows = page.locator(".gen-table tbody tr");
            assertThat(rows).hasCount(4);
            // newest first: the image call ended last
            assertThat(rows.first()).hasAttribute("data-request-id", imageId);
            Locator failed = page.locator(".gen-table tbody tr:has(.badge.failed)");
            assertThat(failed).hasCount(1);
            assertThat(failed.locator("td").nth(6)).containsText("scripted model failure");

            // filter by model (the list offers every model this account may call)
            page.waitForSelector("#gen-model option[value='scripted-echo']", new Page.WaitForSelectorOptions().setState(WaitForSelectorState.ATTACHED));
            page.selectOption("#gen-model", "scripted-echo");
            page.click(".filters button[type=submit]");
            assertThat(page.locator("#gen-summary")).hasText("2 generations");
            assertThat(rows).hasCount(2);

            // by dates: nothing from tomorrow on; everything today
            String today = LocalDate.now(ZoneOffset.UTC).toString();
            page.selectOption("#gen-model", "");
            page.fill("#gen-from", LocalDate.now(ZoneOffset.UTC).plusDays(1).toString());
            page.click(".filters button[type=submit]");
            assertThat(page.locator("#gen-summary")).hasText("0 generations");
            assertThat(page.locator(".gen-table tbody td.empty")).hasText("No generations match.");
            page.fill("#gen-from", today);
            page.fill("#gen-to", today);
            page.click(".filters button[type=submit]");
            assertThat(page.locator("#gen-summary")).hasText("4 generations");

            // open the stored output: the image is shown in the page, and its link works without a key
            page.locator("tr[data-request-id='" + imageId + "'] button").click();
            Locator img = page.locator("#gen-output img.output-media");
            img.waitFor();
            assertThat(img).hasJSProperty("complete", true, new LocatorAssertions.HasJSPropertyOptions().setTimeout(10_000));
            assertThat(((Number) img.evaluate("i => i.naturalWidth")).intValue()).isEqualTo(160);
            String href = page.locator("#gen-output-link").getAttribute("href");
            JsonNode status = server.get("/v2/requests/" + imageId, key).json();
            assertThat(href).isEqualTo(status.get("output").asText());
            assertThat(page.url()).doesNotContain(key);
        }
    }

    /** The docs' picture, with real models only: two embeddings and an upscale by esrgan (real weights from npm), opened. */
    @Test
    void aRealUpscaleOpensInThePage() throws Exception {
        String key = server.createAccount("Docs Team", "pro", "1").get("api_key").asText();
        for (String text : new String[]{"The cat sits on the mat.", "A kitten on a rug."}) {
            assertThat(server.post("/v1/bge-small-en-v1.5", key, Json.object().put("text", text)).status()).isEqualTo(200);
        }
        String fixture = ImageModelsIT.dataUrl(ImageIO.read(TestArtifacts.resolve(ImageModelsIT.ESRGAN + "assets/fixture.png").toFile()));
        Reply submitted = server.post("/v2/esrgan", key, Json.object().put("image", fixture).put("scale", 2).put("output_format", "png"));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
        String upscaleId = submitted.json().get("request_id").asText();
        await().atMost(Duration.ofSeconds(240)).until(() -> server.get("/v2/requests/" + upscaleId + "/status", key).json()
                .path("status").asText().matches("COMPLETED|FAILED"));
        assertThat(server.get("/v2/requests/" + upscaleId + "/status", key).json().get("status").asText()).isEqualTo("COMPLETED");

        try (Chromium.Watched c = chromium.watched(1280, 900, 30_000)) {
            Page page = c.signIn(server.base, key);
            page.click("#nav a[href='#/generations']");
            assertThat(page.locator("#gen-summary")).hasText("3 generations");
            page.locator("tr[data-request-id='" + upscaleId + "'] button").click();
            Locator img = page.locator("#gen-output img.output-media");
            img.waitFor();
            assertThat(img).hasJSProperty("complete", true, new LocatorAssertions.HasJSPropertyOptions().setTimeout(10_000));
            assertThat(((Number) img.evaluate("i => i.naturalWidth")).intValue()).isGreaterThan(0);
            page.mouse().move(0, 0);  // no hover highlight in the picture
            page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("generations.png")).setFullPage(true));
        }
    }
}
