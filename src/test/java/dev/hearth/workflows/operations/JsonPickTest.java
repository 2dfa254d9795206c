package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonPickTest {

    static final Operation PICK = Operations.builtIn().find("json_pick").orElseThrow();

    static final String CHAT = """
            {"id": "chatcmpl-1", "object": "chat.completion", "model": "llama",
             "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris is the capital.", "tool_calls": null},
                          "finish_reason": "stop"}],
             "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17},
             "a/b": {"x~y": "escaped"}}
            """;
    static final String EMBEDDINGS = """
            {"object": "list", "model": "bge-small-en-v1.5",
             "data": [{"object": "embedding", "index": 0, "embedding": [0.25, -0.5, 1]},
                      {"object": "embedding", "index": 1, "embedding": [1.5, 0, 2]}]}
            """;

    static Map<String, Value> pick(String json, String path) throws Exception {
        return PICK.run(Map.of("json", new Value.Json(Json.MAPPER.readTree(json))), Json.object().put("path", path));
    }

    static String text(Map<String, Value> r) {
        return ((Value.Text) r.get("text")).text();
    }

    static JsonNode value(Map<String, Value> r) {
        return ((Value.Json) r.get("value")).node();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/choices/0/message/content", "choices[0].message.content", "$.choices[0].message.content",
            "$.choices[0][\"message\"]['content']"})
    void picksTheAnswerOfAChatCompletion(String path) throws Exception {
        Map<String, Value> r = pick(CHAT, path);
        assertThat(text(r)).isEqualTo("Paris is the capital.");
        assertThat(value(r).textValue()).isEqualTo("Paris is the capital.");
    }

    @Test
    void numbersAndObjectsComeOutAsJsonText() throws Exception {
        assertThat(text(pick(CHAT, "usage.total_tokens"))).isEqualTo("17");
        assertThat(value(pick(CHAT, "/usage/total_tokens")).intValue()).isEqualTo(17);
        assertThat(text(pick(CHAT, "usage"))).isEqualTo("{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}");
        assertThat(text(pick(CHAT, "/a~1b/x~0y"))).isEqualTo("escaped");
        assertThat(value(pick(CHAT, "")).path("id").textValue()).isEqualTo("chatcmpl-1");
    }

    @Test
    void picksAnEmbeddingOutOfAnEmbeddingsResponse() throws Exception {
        Map<String, Value> dotted = pick(EMBEDDINGS, "data[1].embedding");
        assertThat(text(dotted)).isEqualTo("[1.5,0,2]");
        assertThat(value(dotted).size()).isEqualTo(3);
        assertThat(value(pick(EMBEDDINGS, "/data/0/embedding")).get(1).doubleValue()).isEqualTo(-0.5);
        assertThat(text(pick(EMBEDDINGS, "/data/1/embedding/2"))).isEqualTo("2");
    }

    @Test
    void aMissingPathFailsNamingThePathAndWhereItStopped() {
        assertThatThrownBy(() -> pick(CHAT, "choices[1].message.content")).isInstanceOf(OperationFailure.class)
                .hasMessageContaining("'choices[1].message.content' not found").hasMessageContaining("'choices' has 1 element, so no index 1");
        assertThatThrownBy(() -> pick(CHAT, "/choices/0/message/text")).isInstanceOf(OperationFailure.class)
                .hasMessageContaining("'/choices/0/message/text' not found").hasMessageContaining("'/choices/0/message' has no key 'text'")
                .hasMessageContaining("content");
        assertThatThrownBy(() -> pick(EMBEDDINGS, "data.embedding")).isInstanceOf(OperationFailure.class)
                .hasMessageContaining("'data' is an array");
        assertThatThrownBy(() -> pick(EMBEDDINGS, "model.name")).isInstanceOf(OperationFailure.class)
                .hasMessageContaining("'model' is a string");
        assertThatThrownBy(() -> pick(CHAT, "choices[0].message.tool_calls")).isInstanceOf(OperationFailure.class)
                .hasMessageContaining("is null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"choices[x]", "choices[0", "choices..message", "choices.", "a['b"})
    void aMalformedPathIsRefused(String path) {
        assertThatThrownBy(() -> pick(CHAT, path)).isInstanceOf(OperationFailure.class).hasMessageContaining("cannot be read");
    }

    @Test
    void aTextOnTheJsonPortIsAJsonString() throws Exception {
        Map<String, Value> r = PICK.run(Map.of("json", new Value.Text("hello")), Json.object().put("path", "$"));
        assertThat(text(r)).isEqualTo("hello");
    }
}
