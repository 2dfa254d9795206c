package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.TestArtifacts;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.runners.speech.AudioDecodingTest;
import dev.hearth.runners.speech.SpeechTest;
import dev.hearth.runners.speech.TranscriptionTest;
import dev.hearth.workflows.Templates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code speech-to-text} over HTTP on a real Hearth, pocketsphinx and its model fetched from the Debian archive
 * into the test cache: a WAV (base64 JSON, data URL, multipart upload) comes back as its words with timings and is
 * charged per second of processing, and so do an MP3 and Ogg Vorbis file (told by their bytes, not their names);
 * a 24 s recording comes back in five segments, one per spoken sentence, in the recording's time;
 * refusals (not audio, a damaged or truncated MP3, random bytes named .ogg, too long, nothing sent) are 422 and cost nothing;
 * cold → warm → cold (a 2 s idle timeout here); the "speak, then transcribe" template runs end to end. The
 * server's close checks the ledger's invariants.
 */
class SpeechToTextIT {

    static HearthServer server;
    static String key;
    static byte[] sentenceWav;
    static final String SENTENCE = TranscriptionTest.SENTENCES.get(1);
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        TestArtifacts.resolve(SpeechTest.RUNTIME);
        ObjectNode runner = TranscriptionTest.catalogRunner();
        for (JsonNode lib : runner.get("libraries")) TestArtifacts.resolve(lib.asText());
        TestArtifacts.resolve(runner.get("dictionary").asText());
        Path catalog = Files.createTempDirectory("hearth-stt-catalog");
        HearthServer.writeQuicklyIdleEntry(catalog, "speech-to-text");
        HearthServer.writeQuicklyIdleEntry(catalog, "text-to-speech");
        server = HearthServer.start(HearthServer.Store.SQLITE,
                Map.of("catalog.dir", catalog.toString(), "artifacts.dir", TestArtifacts.DIR.toString()), Map.of());
        key = server.createAccount("listener", "pro", "5").get("api_key").asText();
        HttpResponse<byte[]> spoken = send("/v1/text-to-speech", "application/json", Json.bytes(Json.object().put("text", SENTENCE)));
        assertThat(spoken.statusCode()).isEqualTo(200);
        sentenceWav = spoken.body();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<byte[]> send(String path, String contentType, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.base + path)).timeout(Duration.ofSeconds(120))
                .header("x-api-key", key).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> transcribe(String audio) throws Exception {
        return send("/v1/speech-to-text", "application/json", Json.bytes(Json.object().put("audio", audio)));
    }

    static BigDecimal credits() {
        JsonNode c = server.get("/v1/get-user-credits", key).json();
        return c.get("credits").decimalValue().add(c.get("free-credits").decimalValue());
    }

    static String status() {
        return server.get("/v1/models/speech-to-text", key).json().get("status").asText();
    }

    @Test
    void aWavComesBackAsWordsWithTimingsAndIsChargedPerSecond() throws Exception {
        BigDecimal before = credits();
        HttpResponse<byte[]> r = transcribe(Base64.getEncoder().encodeToString(sentenceWav));
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(r.body());
        String text = body.get("text").asText();
        System.out.printf(Locale.ROOT, "[stt-it] WER %.2f: \"%s\" → \"%s\"%n", TranscriptionTest.wer(SENTENCE, text), SENTENCE, text);
        assertThat(TranscriptionTest.survived(SENTENCE, text)).as(text).isGreaterThanOrEqualTo(0.6);
        assertThat(body.get("words").size()).isGreaterThanOrEqualTo(5);
        assertThat(body.get("duration").asDouble()).isBetween(2.0, 6.0);
        BigDecimal cost = new BigDecimal(r.headers().firstValue("x-cost").orElseThrow());
        assertThat(cost).isPositive().isLessThan(new BigDecimal("0.01"));
        assertThat(credits()).isEqualByComparingTo(before.subtract(cost));
    }

    @Test
    void aMultipartUploadAndADataUrlWorkToo() throws Exception {
        String boundary = "hearthboundary42";
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        form.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"call.wav\"\r\nContent-Type: audio/wav\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        form.writeBytes(sentenceWav);
        form.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> multipart = send("/v1/speech-to-text", "multipart/form-data; boundary=" + boundary, form.toByteArray());
        assertThat(multipart.statusCode()).as(new String(multipart.body())).isEqualTo(200);
        HttpResponse<byte[]> dataUrl = transcribe("data:audio/wav;base64," + Base64.getEncoder().encodeToString(sentenceWav));
        assertThat(dataUrl.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(multipart.body()).get("text")).isEqualTo(Json.MAPPER.readTree(dataUrl.body()).get("text"));
    }

    @Test
    void badInputIs422AndCostsNothing() throws Exception {
        BigDecimal before = credits();
        byte[] mp3 = new byte[4096];
        mp3[0] = (byte) 0xFF;
        mp3[1] = (byte) 0xFB;
        mp3[2] = (byte) 0x90;
        byte[] png = Base64.getDecoder().decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");
        Map<String, String> cases = Map.of(
                "not audio (a PNG)", Base64.getEncoder().encodeToString(png),
                "MP3", Base64.getEncoder().encodeToString(mp3),
                "over 10 minutes", Base64.getEncoder().encodeToString(silence(601)),
                "not base64", "%%%");
        for (var c : cases.entrySet()) {
            HttpResponse<byte[]> r = transcribe(c.getValue());
            assertThat(r.statusCode()).as(c.getKey() + " → " + new String(r.body())).isEqualTo(422);
            assertThat(Json.MAPPER.readTree(r.body()).get("error").asText()).as(c.getKey()).isNotBlank();
        }
        assertThat(new String(transcribe(Base64.getEncoder().encodeToString(mp3)).body())).contains("not a readable MP3");
        assertThat(new String(transcribe(Base64.getEncoder().encodeToString(silence(601))).body())).contains("at most 600 s");
        HttpResponse<byte[]> none = send("/v1/speech-to-text", "application/json", Json.bytes(Json.object()));
        assertThat(none.statusCode()).isEqualTo(422);
        assertThat(credits()).isEqualByComparingTo(before);
    }

    static HttpResponse<byte[]> upload(String filename, String contentType, byte[] file) throws Exception {
        String boundary = "hearthboundary43";
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        form.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"" + filename + "\"\r\nContent-Type: " + contentType + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        form.writeBytes(file);
        form.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send("/v1/speech-to-text", "multipart/form-data; boundary=" + boundary, form.toByteArray());
    }

    @Test
    void mp3AndOggAreTranscribedAndChargedLikeWav() throws Exception {
        String sentence = TranscriptionTest.SENTENCES.getFirst();
        BigDecimal before = credits();
        BigDecimal charged = BigDecimal.ZERO;
        HttpResponse<byte[]> mp3 = upload("fox.mp3", "audio/mpeg", AudioDecodingTest.fixture("sentence-44k-stereo.mp3"));
        HttpResponse<byte[]> ogg = transcribe(Base64.getEncoder().encodeToString(AudioDecodingTest.fixture("sentence-16k-mono.ogg")));
        // the name and the declared type do not decide: an Ogg file uploaded as "fox.wav" is read as Ogg
        HttpResponse<byte[]> misnamed = upload("fox.wav", "application/octet-stream", AudioDecodingTest.fixture("sentence-44k-stereo.ogg"));
        for (HttpResponse<byte[]> r : List.of(mp3, ogg, misnamed)) {
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            JsonNode body = Json.MAPPER.readTree(r.body());
            assertThat(TranscriptionTest.survived(sentence, body.get("text").asText())).as(body.toString()).isGreaterThanOrEqualTo(0.6);
            assertThat(body.get("segments").size()).isEqualTo(1);
            charged = charged.add(new BigDecimal(r.headers().firstValue("x-cost").orElseThrow()));
        }
        assertThat(charged).isPositive();
        assertThat(credits()).isEqualByComparingTo(before.subtract(charged));
    }

    @Test
    void aLongRecordingIsSplitIntoSegmentsInTheRecordingsTime() throws Exception {
        // the sentence five times, 1.5 s of silence after each: about 24 s, over the catalog's 15 s
        SpeechTest.Wav wav = SpeechTest.Wav.parse(sentenceWav);
        int gap = (int) (wav.format().getSampleRate() * 1.5);
        short[] pcm = new short[5 * (wav.samples().length + gap)];
        for (int i = 0; i < 5; i++) System.arraycopy(wav.samples(), 0, pcm, i * (wav.samples().length + gap), wav.samples().length);
        byte[] bytes = new byte[pcm.length * 2];
        for (int i = 0; i < pcm.length; i++) {
            bytes[2 * i] = (byte) pcm[i];
            bytes[2 * i + 1] = (byte) (pcm[i] >> 8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var in = new javax.sound.sampled.AudioInputStream(new java.io.ByteArrayInputStream(bytes), wav.format(), pcm.length)) {
            javax.sound.sampled.AudioSystem.write(in, javax.sound.sampled.AudioFileFormat.Type.WAVE, out);
        }
        BigDecimal before = credits();
        HttpResponse<byte[]> r = upload("five.wav", "audio/wav", out.toByteArray());
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(r.body());
        double duration = body.get("duration").asDouble();
        assertThat(duration).isGreaterThan(15);
        JsonNode segments = body.get("segments");
        assertThat(segments.size()).as(segments.toString()).isEqualTo(5);
        double period = (wav.samples().length + gap) / (double) wav.format().getSampleRate();
        for (int i = 0; i < 5; i++) {
            JsonNode seg = segments.get(i);
            // each segment lies around its copy of the sentence, which starts every `period` seconds
            assertThat(seg.get("start").asDouble()).as(seg.toString()).isBetween(i * period - 0.5, i * period + 0.6);
            assertThat(seg.get("end").asDouble()).isLessThanOrEqualTo(Math.min(duration, i * period + wav.seconds() + 0.5));
            assertThat(TranscriptionTest.survived(SENTENCE, seg.get("text").asText())).as(seg.toString()).isGreaterThanOrEqualTo(0.5);
        }
        double previous = 0;
        for (JsonNode w : body.get("words")) {
            assertThat(w.get("start").asDouble()).isGreaterThanOrEqualTo(previous - 1e-9);
            assertThat(w.get("end").asDouble()).isLessThanOrEqualTo(duration);
            previous = w.get("end").asDouble();
        }
        BigDecimal cost = new BigDecimal(r.headers().firstValue("x-cost").orElseThrow());
        assertThat(cost).isPositive();
        assertThat(credits()).isEqualByComparingTo(before.subtract(cost));
    }

    @Test
    void aTruncatedMp3AndRandomBytesNamedOggAre422AndCostNothing() throws Exception {
        BigDecimal before = credits();
        byte[] mp3 = AudioDecodingTest.fixture("sentence-16k-mono.mp3");
        HttpResponse<byte[]> truncated = upload("cut.mp3", "audio/mpeg", Arrays.copyOf(mp3, mp3.length * 2 / 3 + 50));
        assertThat(truncated.statusCode()).as(new String(truncated.body())).isEqualTo(422);
        assertThat(Json.MAPPER.readTree(truncated.body()).get("error").asText()).contains("MP3").contains("truncated");
        byte[] random = new byte[8192];
        new Random(17).nextBytes(random);
        random[0] = 0x42;
        HttpResponse<byte[]> fake = upload("speech.ogg", "audio/ogg", random);
        assertThat(fake.statusCode()).as(new String(fake.body())).isEqualTo(422);
        // random bytes behind an Ogg signature pass the gateway's sniffing as Ogg and are refused by the decoder
        System.arraycopy("OggS".getBytes(StandardCharsets.US_ASCII), 0, random, 0, 4);
        HttpResponse<byte[]> fakeOgg = upload("speech.ogg", "audio/ogg", random);
        assertThat(fakeOgg.statusCode()).as(new String(fakeOgg.body())).isEqualTo(422);
        assertThat(Json.MAPPER.readTree(fakeOgg.body()).get("error").asText()).contains("Ogg");
        assertThat(credits()).isEqualByComparingTo(before);
    }

    /** Silence as 8 kHz 8-bit unsigned PCM: 601 s is 4.8 MB. */
    static byte[] silence(int seconds) throws Exception {
        javax.sound.sampled.AudioFormat f = new javax.sound.sampled.AudioFormat(javax.sound.sampled.AudioFormat.Encoding.PCM_UNSIGNED, 8000, 8, 1, 1, 8000, false);
        byte[] pcm = new byte[seconds * 8000];
        java.util.Arrays.fill(pcm, (byte) 0x80);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var in = new javax.sound.sampled.AudioInputStream(new java.io.ByteArrayInputStream(pcm), f, pcm.length)) {
            javax.sound.sampled.AudioSystem.write(in, javax.sound.sampled.AudioFileFormat.Type.WAVE, out);
        }
        return out.toByteArray();
    }

    @Test
    void theModelGoesColdWarmAndColdAgainAfterItsIdleTimeout() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> status().equals("cold"));
        long boots = server.app.pool().boots("speech-to-text");
        assertThat(transcribe(Base64.getEncoder().encodeToString(sentenceWav)).statusCode()).isEqualTo(200);
        assertThat(status()).isEqualTo("warm");
        await().atMost(Duration.ofSeconds(30)).until(() -> status().equals("cold"));
        assertThat(transcribe(Base64.getEncoder().encodeToString(sentenceWav)).statusCode()).isEqualTo(200);
        assertThat(server.app.pool().boots("speech-to-text")).isEqualTo(boots + 2);
    }

    @Test
    void theSpeakThenTranscribeTemplateHearsItsOwnVoice() throws Exception {
        BigDecimal before = credits();
        String text = "The weather will be sunny tomorrow morning.";
        Reply started = server.post("/workflows/" + Templates.SPEAK_THEN_TRANSCRIBE + "-v1", key, Json.object().put("text", text));
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        JsonNode run = server.finishedWorkflowRun(key, started.json().get("request_id").asText());
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        String heard = null;
        for (JsonNode n : run.get("nodes")) if (n.get("id").asText().equals("transcript")) heard = n.get("output").asText();
        assertThat(heard).as(run.toString()).isNotNull();
        assertThat(run.get("output").asText()).contains(heard);
        System.out.printf(Locale.ROOT, "[stt-it] template: \"%s\" → \"%s\" (WER %.2f)%n", text, heard, TranscriptionTest.wer(text, heard));
        assertThat(TranscriptionTest.survived(text, heard)).as(run.toString()).isGreaterThanOrEqualTo(0.6);
        BigDecimal cost = new BigDecimal(run.get("cost").asText());
        assertThat(cost).isGreaterThan(new BigDecimal("0.0005"));
        assertThat(credits()).isEqualByComparingTo(before.subtract(cost));
    }
}
