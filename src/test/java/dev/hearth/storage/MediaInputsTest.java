package dev.hearth.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.InputValidator;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.net.AddressGuard;
import dev.hearth.net.GuardedHttp;
import dev.hearth.net.HostResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Media inputs resolved from every form they may take. The fetcher's resolver is a tripwire: it counts lookups
 * and answers a private address, so a URL that should have been read from storage shows up as a lookup, and a
 * URL that really goes to the network is refused before any connection.
 */
class MediaInputsTest {

    static final String BASE = "http://hearth.test:8080";

    final StorageFixture f = new StorageFixture(Map.of("storage.max_item_bytes", "300000"));
    final AtomicInteger lookups = new AtomicInteger();
    final HostResolver tripwire = host -> {
        lookups.incrementAndGet();
        return new InetAddress[]{InetAddress.getByName("10.9.8.7")};
    };
    final MediaInputs media = new MediaInputs(f.storage,
            new GuardedHttp(new AddressGuard(List.of(), tripwire), Duration.ofSeconds(2), Duration.ofSeconds(5), 5));

    static final ObjectNode SCHEMA = (ObjectNode) parse("""
            {"type": "object", "properties": {
               "image": {"type": "string", "x-hearth-media": "image", "description": "the picture"},
               "mask": {"type": "string", "x-hearth-media": "image"},
               "voice": {"type": "string", "x-hearth-media": "audio"},
               "images": {"type": "array", "items": {"type": "string", "x-hearth-media": "image"}},
               "scale": {"type": "integer", "default": 2}
            }, "required": ["image"]}""");

    static com.fasterxml.jackson.databind.JsonNode parse(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void close() {
        f.close();
    }

    private ResolvedMedia resolve(ObjectNode params) {
        return media.resolve(SCHEMA, new InputValidator(SCHEMA).validate(params), BASE);
    }

    private static ObjectNode params(String image) {
        return Json.object().put("image", image);
    }

    @Test
    void theSchemaMarkIsFoundAndAcceptedByTheValidator() {
        assertThat(MediaInputs.fields(SCHEMA)).containsExactly(Map.entry("image", MediaInputs.Kind.IMAGE),
                Map.entry("mask", MediaInputs.Kind.IMAGE), Map.entry("voice", MediaInputs.Kind.AUDIO), Map.entry("images", MediaInputs.Kind.IMAGE));
        assertThat(new InputValidator(SCHEMA).validate(params("x")).get("scale").asInt()).isEqualTo(2);
    }

    @Test
    void dataUrlsAndRawBase64AreDecoded() {
        byte[] png = TestImages.png(20, 10);
        ResolvedMedia r = resolve(params(TestImages.dataUrl("image/png", png))
                .put("mask", Base64.getEncoder().encodeToString(TestImages.jpeg(10, 10))));
        assertThat(r.get("image").bytes()).isEqualTo(png);
        assertThat(r.get("image").contentType()).isEqualTo("image/png");
        assertThat(r.get("image").source()).isEqualTo("data");
        assertThat(r.get("mask").contentType()).isEqualTo("image/jpeg");
        assertThat(r.get("mask").source()).isEqualTo("base64");
        assertThat(r.params().get("scale").asInt()).isEqualTo(2);
        // what may be logged carries no media bytes
        String logged = Json.text(r.redactedParams());
        assertThat(logged).doesNotContain("base64,").contains("image/png, " + png.length + " bytes");
        assertThat(lookups).hasValue(0);
    }

    @Test
    void assetAndOutputUrlsUnderTheBaseAreReadFromStorageWithoutTheNetwork() {
        String owner = f.account("owner");
        byte[] png = TestImages.png(24, 24);
        StoredObject asset = f.storage.upload(owner, List.of(new Storage.Upload("$.data_urls[0]", png, "image/png"))).getFirst();
        byte[] jpeg = TestImages.jpeg(16, 16);
        StoredObject output = f.storage.saveOutput(owner, jpeg, "image/jpeg");

        ResolvedMedia r = resolve(params(asset.url(BASE)).put("mask", output.url(BASE)));
        assertThat(r.get("image").bytes()).isEqualTo(png);
        assertThat(r.get("image").source()).isEqualTo("asset");
        assertThat(r.get("mask").bytes()).isEqualTo(jpeg);
        assertThat(r.get("mask").source()).isEqualTo("output");
        // the extension is optional, host case does not matter, and the default port is the same origin
        assertThat(resolve(params("HTTP://HEARTH.test:8080/assets/" + asset.id())).get("image").bytes()).isEqualTo(png);
        assertThat(media.resolve(SCHEMA, params("https://hearth.example/assets/" + asset.id() + ".png"), "https://hearth.example:443")
                .get("image").bytes()).isEqualTo(png);
        assertThat(lookups).as("no host was looked up").hasValue(0);

        // the same path on another origin is just a URL: it goes to the guard, which refuses the private answer
        assertThatThrownBy(() -> resolve(params("http://elsewhere.test/assets/" + asset.id() + ".png")))
                .hasMessageStartingWith("$.image: ").hasMessageContaining("10.9.8.7").hasMessageContaining("private");
        assertThat(lookups).hasValue(1);
    }

    @Test
    void unknownDeletedOrExpiredStoredFilesAre422() {
        String owner = f.account("owner");
        StoredObject out = f.storage.saveOutput(owner, TestImages.png(8, 8), "image/png");
        f.clock.advance(Duration.ofDays(8));
        assertInvalid(params(out.url(BASE)), "$.image: is a Hearth file URL, but no such file exists");
        assertInvalid(params(BASE + "/assets/" + "a".repeat(32) + ".png"), "$.image: is a Hearth file URL, but no such file exists");
        // an output id under /assets/ is not an asset
        StoredObject fresh = f.storage.saveOutput(owner, TestImages.png(8, 8), "image/png");
        assertInvalid(params(BASE + "/assets/" + fresh.id()), "no such file exists");
        assertThat(lookups).hasValue(0);
    }

    @Test
    void badInputsAre422NamingTheField() {
        byte[] png = TestImages.png(40, 40);
        assertInvalid(params("data:image/png;base64,iVBORw0KGgo***"), "$.image: is not valid base64");
        assertInvalid(params("not base64 at all!"), "$.image: is not valid base64");
        assertInvalid(params(TestImages.dataUrl("image/jpeg", png)), "$.image: is declared as image/jpeg but its content is image/png");
        assertInvalid(params(TestImages.dataUrl("image/png", TestImages.truncated(png))), "$.image: is a damaged or truncated PNG image");
        assertInvalid(params(TestImages.dataUrl("text/plain", "hello".getBytes())), "$.image: must be an image, but its content is plain text");
        assertInvalid(params(TestImages.dataUrl("image/svg+xml", "<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes())),
                "$.image: must be an image, but its content is an SVG document");
        assertInvalid(params("file:///etc/passwd"), "$.image: 'file:///etc/passwd' uses the scheme 'file'");
        assertInvalid(params("gopher://hearth.test/x"), "uses the scheme 'gopher'");
        assertInvalid(params(""), "$.image: is empty");
        assertInvalid(params(TestImages.dataUrl("image/png", png)).put("voice", TestImages.dataUrl("image/png", png)),
                "$.voice: must be audio, but its content is image/png");
        ObjectNode list = params(TestImages.dataUrl("image/png", png));
        list.putArray("images").add(TestImages.dataUrl("image/png", png)).add("%%%");
        assertInvalid(list, "$.images[1]: is not valid base64");
        assertThat(lookups).hasValue(0);
    }

    @Test
    void inlineMediaOverTheItemLimitIs413() {
        byte[] big = new byte[400_000];
        assertThatThrownBy(() -> resolve(params(Base64.getEncoder().encodeToString(big))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413))
                .hasMessageStartingWith("$.image: ").hasMessageContaining("over the limit of 300000 bytes");
    }

    @Test
    void arraysResolveEachItem() {
        byte[] a = TestImages.png(8, 8);
        byte[] b = TestImages.jpeg(8, 8);
        ObjectNode p = params(TestImages.dataUrl("image/png", a));
        p.putArray("images").add(TestImages.dataUrl("image/png", a)).add(Base64.getEncoder().encodeToString(b));
        ResolvedMedia r = resolve(p);
        assertThat(r.get("images[0]").bytes()).isEqualTo(a);
        assertThat(r.get("images[1]").contentType()).isEqualTo("image/jpeg");
        assertThat(r.redactedParams().get("images").get(1).asText()).startsWith("<image/jpeg");
    }

    private void assertInvalid(ObjectNode p, String message) {
        assertThatThrownBy(() -> resolve(p)).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(422))
                .hasMessageContaining(message);
    }
}
