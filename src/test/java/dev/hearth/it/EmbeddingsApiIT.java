package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two real embedding models over HTTP, Segmind-style and OpenAI-style: shapes, headers, charges, and that
 * the vectors mean something (a paraphrase is closer than an unrelated sentence).
 */
class EmbeddingsApiIT {

    static HearthServer server;
    static String key;
    static String accountId;

    @BeforeAll
    static void start() {
        server = HearthServer.start(HearthServer.Store.SQLITE);
        JsonNode acc = server.createAccount("embedder", "pro", "1");
        key = acc.get("api_key").asText();
        accountId = acc.get("account_id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static double[] vector(String model, String text) {
        Reply r = server.post("/v1/" + model, key, dev.hearth.http.Json.object().put("text", text));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode v = r.json().get("embeddings").get(0);
        double[] d = new double[v.size()];
        for (int i = 0; i < d.length; i++) d[i] = v.get(i).asDouble();
        return d;
    }

    private static double cosine(double[] a, double[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bge-small-en-v1.5", "all-minilm-l6-v2"})
    void aParaphraseIsCloserThanAnUnrelatedSentence(String model) {
        double[] cat = vector(model, "The cat sits on the mat.");
        double[] kitten = vector(model, "A kitten rests on a rug.");
        double[] revenue = vector(model, "Quarterly revenue grew by 8%.");
        assertThat(cat).hasSize(384);
        assertThat(cosine(cat, kitten)).isGreaterThan(cosine(cat, revenue));
    }

    @Test
    void segmindStyleCallChargesThePricePerTextAndReportsItInHeaders() {
        BigDecimal before = credits();
        Reply r = server.post("/v1/all-minilm-l6-v2", key, "{\"input\": [\"one\", \"two\", \"three\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("embeddings")).hasSize(3);
        assertThat(r.json().get("dimensions").asInt()).isEqualTo(384);
        assertThat(r.header("x-cost")).isEqualTo("0.0003");
        assertThat(r.header("x-request-id")).matches("[0-9a-f-]{36}");
        assertThat(Double.parseDouble(r.header("x-generation-time"))).isGreaterThanOrEqualTo(0);
        assertThat(r.header("x-queue-time")).isNotNull();
        assertThat(new BigDecimal(r.header("x-remaining-credits"))).isEqualByComparingTo(before.subtract(new BigDecimal("0.0003")));
        assertThat(credits()).isEqualByComparingTo(before.subtract(new BigDecimal("0.0003")));
        // the usage record carries the same request id as the ledger charge
        server.app.usage().flush();
        String requestId = r.header("x-request-id");
        assertThat(server.app.ledger.entries(accountId, 50)).anyMatch(e -> requestId.equals(e.requestId()) && e.amount() == -300_000);
        Integer status = server.app.db.jdbi().withHandle(h -> h.createQuery(
                "SELECT status_code FROM usage_records WHERE request_id = :id").bind("id", requestId).mapTo(Integer.class).one());
        assertThat(status).isEqualTo(200);
    }

    private static BigDecimal credits() {
        JsonNode c = server.get("/v1/get-user-credits", key).json();
        return c.get("credits").decimalValue().add(c.get("free-credits").decimalValue());
    }

    @Test
    void openAiEmbeddingsInFloatAndBase64AgreeWithEachOther() {
        Reply floats = server.post("/v1/embeddings", key, "{\"model\": \"bge-small-en-v1.5\", \"input\": [\"hello\", \"world\"]}");
        assertThat(floats.status()).as(floats.body()).isEqualTo(200);
        JsonNode f = floats.json();
        assertThat(f.get("object").asText()).isEqualTo("list");
        assertThat(f.get("model").asText()).isEqualTo("bge-small-en-v1.5");
        assertThat(f.get("data")).hasSize(2);
        assertThat(f.get("data").get(1).get("index").asInt()).isEqualTo(1);
        assertThat(f.get("data").get(0).get("object").asText()).isEqualTo("embedding");
        assertThat(f.get("usage").get("prompt_tokens").asInt()).isPositive();
        assertThat(floats.header("x-cost")).isEqualTo("0.0002");

        Reply b64 = server.post("/v1/embeddings", key, "{\"model\": \"bge-small-en-v1.5\", \"input\": \"hello\", \"encoding_format\": \"base64\"}");
        assertThat(b64.status()).as(b64.body()).isEqualTo(200);
        byte[] raw = Base64.getDecoder().decode(b64.json().get("data").get(0).get("embedding").asText());
        assertThat(raw).hasSize(384 * 4);
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        JsonNode expected = f.get("data").get(0).get("embedding");
        for (int i = 0; i < 384; i++) assertThat(buf.getFloat()).isCloseTo((float) expected.get(i).asDouble(), org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void openAiRouteRefusesBadInputWithoutCharging() {
        BigDecimal before = credits();
        assertThat(server.post("/v1/embeddings", key, "{\"input\": \"x\"}").status()).isEqualTo(422);
        assertThat(server.post("/v1/embeddings", key, "{\"model\": \"bge-small-en-v1.5\", \"input\": [1, 2]}").status()).isEqualTo(422);
        assertThat(server.post("/v1/embeddings", key, "{\"model\": \"bge-small-en-v1.5\", \"input\": \"x\", \"encoding_format\": \"int8\"}").status()).isEqualTo(422);
        assertThat(server.post("/v1/embeddings", key, "{\"model\": \"nope\", \"input\": \"x\"}").status()).isEqualTo(404);
        assertThat(credits()).isEqualByComparingTo(before);
    }

    @Test
    void catalogListsBothModelsWithPriceAndStatus() {
        JsonNode list = server.get("/v1/models", key).json();
        assertThat(list.get("object").asText()).isEqualTo("list");
        assertThat(list.get("data").findValuesAsText("id")).contains("bge-small-en-v1.5", "all-minilm-l6-v2");
        JsonNode one = server.get("/v1/models/all-minilm-l6-v2", key).json();
        assertThat(one.get("input_schema").get("type").asText()).isEqualTo("object");
        assertThat(one.get("pricing").get("price").decimalValue()).isEqualByComparingTo("0.0001");
        assertThat(one.get("status").asText()).isIn("cold", "booting", "warm");
        assertThat(server.get("/v1/models/nope", key).status()).isEqualTo(404);
        assertThat(server.get("/v1/models", null).status()).isEqualTo(401);
    }
}
