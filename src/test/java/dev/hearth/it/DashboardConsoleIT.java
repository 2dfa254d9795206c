package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.hearth.http.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first minutes in the dashboard, in a real Chromium, for a user and for the operator: signing in logs no
 * error at all (not even the 4xx a who-am-I probe used to cause), the spend chart's y-axis labels are money
 * that fits the axis (a spend of $0.000639361 once showed as "00639361"), and the account that owns the
 * workflow templates is marked as Hearth's own.
 */
class DashboardConsoleIT {

    /** An embedding model priced so a call costs a number with many digits, as per-second prices produce. */
    private static final String ODD_PRICE_MODEL = "bge-odd-price";

    static HearthServer server;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        chromium = Chromium.launchOrSkip();
        Path catalog = Files.createTempDirectory("hearth-catalog");
        String yaml = new String(DashboardConsoleIT.class.getResourceAsStream("/models/bge-small-en-v1.5.yaml").readAllBytes())
                .replace("slug: bge-small-en-v1.5", "slug: " + ODD_PRICE_MODEL).replace("price: 0.0001", "price: 0.000639361");
        Files.writeString(catalog.resolve(ODD_PRICE_MODEL + ".yaml"), yaml);
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", catalog.toString()), Map.of());
    }

    @AfterAll
    static void stop() {
        if (chromium != null) chromium.close();
        if (server != null) server.close();
    }

    @Test
    void aUserSignsInWithACleanConsoleAndReadsTheChartAxis() {
        String key = server.createAccount("Console Team", "pro", "1").get("api_key").asText();
        var r = server.post("/v1/" + ODD_PRICE_MODEL, key, Json.object().put("text", "one odd-priced call"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("x-cost")).isEqualTo("0.000639361");

        try (Chromium.Watched watched = chromium.watched(1280, 860, 30_000, true)) {
            Page page = watched.signIn(server.base, key);
            assertThat(page.textContent("#who")).isEqualTo("Account");
            assertAxisLabels(page, List.of("$0.00032", "$0.00064"));
        }
    }

    @Test
    void theAdminSignsInWithACleanConsoleAndSeesTheSystemAccountMarked() {
        String key = server.createAccount("Admin View Team", "pro", "1").get("api_key").asText();
        assertThat(server.post("/v1/" + ODD_PRICE_MODEL, key, Json.object().put("text", "spend for the admin chart")).status()).isEqualTo(200);

        try (Chromium.Watched watched = chromium.watched(1280, 860, 30_000, true)) {
            Page page = watched.signIn(server.base, HearthServer.ADMIN_KEY);
            assertThat(page.textContent("#who")).isEqualTo("Admin");
            page.waitForSelector("svg.chart .bar[data-value]:not([data-value='0'])");
            List<String> labels = axisLabels(page);
            assertThat(labels).hasSize(2).allMatch(l -> l.matches("\\$[0-9.]+k?"), "money with at most two significant digits");
            assertLabelsInside(page);

            page.navigate(server.base + "/#/admin/accounts");
            page.waitForSelector("#accounts-list tr[data-account-id]");
            List<String> rows = page.locator("#accounts-list tr[data-account-id]").allInnerTexts();
            assertThat(rows.getLast()).contains("Hearth templates").contains("system");
            assertThat(rows.subList(0, rows.size() - 1)).noneMatch(t -> t.contains("system"));
        }
        JsonNode accounts = server.get("/admin/accounts", HearthServer.ADMIN_KEY).json().get("accounts");
        assertThat(accounts.findValues("system").stream().filter(JsonNode::asBoolean)).hasSize(1);
    }

    @Test
    void whoamiNamesTheKind() {
        String key = server.createAccount("Whoami Team", "free", "1").get("api_key").asText();
        assertThat(server.get("/v1/whoami", key).json().get("role").asText()).isEqualTo("account");
        assertThat(server.get("/v1/whoami", HearthServer.ADMIN_KEY).json().get("role").asText()).isEqualTo("admin");
        assertThat(server.get("/v1/whoami", "SG_" + "x".repeat(32)).status()).isEqualTo(401);
    }

    private static void assertAxisLabels(Page page, List<String> expected) {
        page.waitForSelector("svg.chart .bar[data-value]:not([data-value='0'])");
        assertThat(axisLabels(page)).containsExactlyElementsOf(expected);
        assertLabelsInside(page);
    }

    private static List<String> axisLabels(Page page) {
        return page.locator("svg.chart text.y-tick").allTextContents();
    }

    /** Every y-axis label starts inside the chart: a label wider than the margin starts left of 0 and is cut. */
    private static void assertLabelsInside(Page page) {
        Object lefts = page.evaluate("() => [...document.querySelectorAll('svg.chart text.y-tick')].map(t => t.getBBox().x)");
        assertThat((List<?>) lefts).isNotEmpty().allSatisfy(x -> assertThat(((Number) x).doubleValue()).isGreaterThanOrEqualTo(0));
    }
}
