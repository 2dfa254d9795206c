package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.billing.Balance;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.storage.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Storage over HTTP (SPEC §8): upload → URL → the same bytes with safe headers; capability URLs fetched without a
 * key; listing and deleting only by the owner; HTML and SVG only as downloads; limits → 413; bad content → 422
 * naming the item. Uploads involve no model: after every test the account's balance and ledger are unchanged.
 */
class StorageApiIT {

    static HearthServer server;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    String accountId;
    String key;
    Balance before;
    long ledgerBefore;

    @BeforeAll
    static void start() {
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("storage.max_item_bytes", "200000",
                "storage.max_request_bytes", "300000", "storage.max_account_bytes", "400000"), Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void account() {
        JsonNode acc = server.createAccount("storage", "free", "1");
        accountId = acc.get("account_id").asText();
        key = acc.get("api_key").asText();
        before = server.app.ledger.balance(accountId);
        ledgerBefore = server.app.ledger.ledgerSum(accountId);
    }

    @AfterEach
    void nothingCharged() {
        assertThat(server.app.ledger.balance(accountId)).isEqualTo(before);
        assertThat(server.app.ledger.ledgerSum(accountId)).isEqualTo(ledgerBefore);
    }

    static Reply upload(String path, String key, String... dataUrls) {
        ObjectNode body = Json.object();
        body.putArray("data_urls").addAll(java.util.Arrays.stream(dataUrls).map(Json.MAPPER.getNodeFactory()::textNode).toList());
        return server.post(path, key, body);
    }

    static HttpResponse<byte[]> fetch(String method, String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static void assertError(Reply r, int status, String... parts) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        for (String p : parts) assertThat(r.json().get("error").asText()).contains(p);
    }

    @Test
    void uploadGivesUrlsThatServeTheSameBytesWithSafeHeaders() throws Exception {
        byte[] png = TestImages.png(48, 32);
        byte[] jpeg = TestImages.jpeg(40, 40);
        Reply r = upload("/v1/upload-asset", key, TestImages.dataUrl("image/png", png), Base64.getEncoder().encodeToString(jpeg));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> urls = new java.util.ArrayList<>();
        r.json().get("urls").forEach(u -> urls.add(u.asText()));
        assertThat(r.json().get("file_urls")).isEqualTo(r.json().get("urls"));
        assertThat(urls).hasSize(2);
        assertThat(urls.get(0)).startsWith(server.base + "/assets/").endsWith(".png").matches(".*/assets/[a-z2-7]{32}\\.png");
        assertThat(urls.get(1)).endsWith(".jpg");

        HttpResponse<byte[]> got = fetch("GET", urls.get(0));   // no key: the URL is the capability
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(png);
        assertThat(got.headers().firstValue("content-type")).hasValue("image/png");
        assertThat(got.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(got.headers().firstValue("content-security-policy")).hasValue("sandbox");
        assertThat(got.headers().firstValue("content-disposition")).isEmpty();
        assertThat(fetch("GET", urls.get(1)).body()).isEqualTo(jpeg);
        HttpResponse<byte[]> head = fetch("HEAD", urls.get(0));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("content-length")).hasValue(Integer.toString(png.length));

        // the Segmind path without /v1 works the same
        Reply legacy = upload("/upload-asset", key, TestImages.dataUrl("image/jpeg", jpeg));
        assertThat(legacy.status()).as(legacy.body()).isEqualTo(200);
        assertThat(fetch("GET", legacy.json().get("file_urls").get(0).asText()).body()).isEqualTo(jpeg);
    }

    @Test
    void onlyTheOwnerListsAndDeletesWhileTheUrlWorksForWhoeverHasIt() throws Exception {
        Reply r = upload("/v1/upload-asset", key, TestImages.dataUrl("image/png", TestImages.png(16, 16)));
        String url = r.json().get("urls").get(0).asText();
        String id = r.json().get("ids").get(0).asText();

        JsonNode mine = server.get("/v1/assets", key).json();
        assertThat(mine.get("assets")).hasSize(1);
        assertThat(mine.get("assets").get(0).get("url").asText()).isEqualTo(url);
        assertThat(mine.get("assets").get(0).get("content_type").asText()).isEqualTo("image/png");
        assertThat(mine.get("used_bytes").asLong()).isPositive();

        String otherKey = server.createAccount("other", "free", "1").get("api_key").asText();
        assertThat(server.get("/v1/assets", otherKey).json().get("assets")).isEmpty();
        assertError(server.send("DELETE", "/v1/assets/" + id, otherKey, null, null), 404, "Asset " + id + " not found");
        assertThat(fetch("GET", url).statusCode()).as("still there after the stranger's attempt").isEqualTo(200);

        assertThat(server.send("DELETE", "/v1/assets/" + id, key, null, null).status()).isEqualTo(200);
        HttpResponse<byte[]> gone = fetch("GET", url);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(new String(gone.body(), StandardCharsets.UTF_8)).contains("not found");
        assertError(server.send("DELETE", "/v1/assets/" + id, key, null, null), 404, "not found");
        assertThat(server.get("/v1/assets", key).json().get("assets")).isEmpty();
        assertThat(fetch("GET", server.base + "/assets/" + "a".repeat(32) + ".png").statusCode()).isEqualTo(404);
    }

    @Test
    void svgAndHtmlAreServedOnlyAsDownloads() throws Exception {
        String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(document.domain)\"><script>alert(1)</script></svg>";
        String html = "<!doctype html><html><body><script>fetch('/v1/assets')</script></body></html>";
        Reply r = upload("/v1/upload-asset", key, TestImages.dataUrl("image/svg+xml", svg.getBytes()),
                TestImages.dataUrl("text/html", html.getBytes()), TestImages.dataUrl("application/x-custom", new byte[]{0, 1, 2, 3}));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (JsonNode u : r.json().get("urls")) {
            HttpResponse<byte[]> got = fetch("GET", u.asText());
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.headers().firstValue("content-type")).as(u.asText()).hasValue("application/octet-stream");
            assertThat(got.headers().firstValue("content-disposition").orElse("")).startsWith("attachment");
            assertThat(got.headers().firstValue("x-content-type-options")).hasValue("nosniff");
            assertThat(got.headers().firstValue("content-security-policy")).hasValue("sandbox");
        }
        assertThat(fetch("GET", r.json().get("urls").get(0).asText()).body()).isEqualTo(svg.getBytes());
        JsonNode listed = server.get("/v1/assets", key).json().get("assets");
        assertThat(listed.findValuesAsText("content_type")).containsExactlyInAnyOrder("image/svg+xml", "text/html", "application/octet-stream");
    }

    @Test
    void overTheLimitsIs413AndStoresNothing() {
        byte[] big = new byte[150_000];
        big[0] = 7;
        String item = TestImages.dataUrl("application/octet-stream", big);
        assertError(upload("/v1/upload-asset", key, TestImages.dataUrl("application/octet-stream", new byte[210_000])), 413,
                "$.data_urls[0]", "over the limit of 200000 bytes per item");
        assertError(upload("/v1/upload-asset", key, item, item, item), 413, "per upload request");
        assertThat(server.get("/v1/assets", key).json().get("assets")).isEmpty();
        assertThat(upload("/v1/upload-asset", key, item, item).status()).isEqualTo(200);
        assertError(upload("/v1/upload-asset", key, item), 413, "over your limit of 400000 bytes");
        assertThat(server.get("/v1/assets", key).json().get("assets")).hasSize(2);
    }

    @Test
    void badContentIs422NamingTheItemAndStoresNothing() {
        byte[] png = TestImages.png(64, 64);
        String good = TestImages.dataUrl("image/png", png);
        assertError(upload("/v1/upload-asset", key, good, good, "data:image/png;base64,iVBORw0K%%%GgoAAAANSUhEUg=="), 422,
                "$.data_urls[2]", "not valid base64");
        assertError(upload("/v1/upload-asset", key, good, TestImages.dataUrl("image/jpeg", png)), 422,
                "$.data_urls[1]", "declared as image/jpeg but its content is image/png");
        assertError(upload("/v1/upload-asset", key, TestImages.dataUrl("image/png", TestImages.truncated(png))), 422,
                "$.data_urls[0]", "damaged or truncated PNG");
        assertError(upload("/v1/upload-asset", key, TestImages.dataUrl("image/png", "<html><script>x</script></html>".getBytes())), 422,
                "$.data_urls[0]", "declared as image/png but its content is an HTML document");
        assertError(server.post("/v1/upload-asset", key, "{\"data_urls\": [5]}"), 422, "$.data_urls[0]: must be a string");
        assertError(server.post("/v1/upload-asset", key, "{\"files\": []}"), 422, "$.data_urls: is required");
        assertError(server.post("/v1/upload-asset", key, "{\"data_urls\": []}"), 422, "at least one");
        assertThat(server.get("/v1/assets", key).json().get("assets")).isEmpty();
    }

    @Test
    void keysContentTypesAndFormsAreHandledLikeEveryRoute() throws Exception {
        assertError(upload("/v1/upload-asset", null, "aGVsbG8="), 401, "Missing");
        assertError(upload("/v1/upload-asset", HearthServer.ADMIN_KEY, "aGVsbG8="), 403, "account");
        assertError(server.get("/v1/assets", null), 401, "Missing");
        assertError(server.send("POST", "/v1/upload-asset", key, "text/plain", "hello"), 406, "multipart/form-data");
        assertError(server.get("/v1/assets?kind=everything", key), 422, "$.kind");

        // a form with two files, as curl -F sends it
        byte[] png = TestImages.png(12, 12);
        String boundary = "hearthFormBoundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes());
        body.writeBytes(png);
        body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.txt\"\r\n"
                + "Content-Type: image/png\r\n\r\nnot a png\r\n--" + boundary + "--\r\n").getBytes());
        HttpResponse<String> bad = HTTP.send(HttpRequest.newBuilder(URI.create(server.base + "/v1/upload-asset"))
                .header("x-api-key", key).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(bad.body()).contains("$.file[1]").contains("declared as image/png");

        byte[] one = java.util.Arrays.copyOf(body.toByteArray(), body.toByteArray().length);
        String single = new String(one, StandardCharsets.ISO_8859_1);
        single = single.substring(0, single.indexOf("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.txt\""))
                + "\r\n--" + boundary + "--\r\n";
        HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(URI.create(server.base + "/v1/upload-asset"))
                .header("x-api-key", key).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(single.getBytes(StandardCharsets.ISO_8859_1))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        String url = Json.MAPPER.readTree(ok.body()).get("urls").get(0).asText();
        assertThat(fetch("GET", url).body()).isEqualTo(png);
    }
}
