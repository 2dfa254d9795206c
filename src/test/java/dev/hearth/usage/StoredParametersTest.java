package dev.hearth.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** Stored parameters keep prompts and settings, never input media, and stay bounded in size. */
class StoredParametersTest {

    @Test
    void promptsStayAndMediaGoes() throws Exception {
        String png = Base64.getEncoder().encodeToString(new byte[2048]);
        ObjectNode p = Json.object().put("prompt", "a red fox in the snow, 35mm").put("seed", 42).put("image", "data:image/png;base64," + png)
                .put("mask", png).put("image_url", "https://example.com/fox.png");
        p.putArray("input").add("first text").add(png);
        JsonNode stored = Json.MAPPER.readTree(StoredParameters.of(p));
        assertThat(stored.get("prompt").asText()).isEqualTo("a red fox in the snow, 35mm");
        assertThat(stored.get("seed").asInt()).isEqualTo(42);
        assertThat(stored.get("image_url").asText()).isEqualTo("https://example.com/fox.png");
        assertThat(stored.get("image").asText()).startsWith("[media omitted:");
        assertThat(stored.get("mask").asText()).startsWith("[media omitted:");
        assertThat(stored.get("input").get(0).asText()).isEqualTo("first text");
        assertThat(stored.get("input").get(1).asText()).startsWith("[media omitted:");
        assertThat(p.get("image").asText()).as("the caller's parameters are not changed").startsWith("data:image/png");
    }

    @Test
    void aLongPromptIsKeptButTheStoredTextIsCapped() {
        String words = "word ".repeat(30_000);
        String stored = StoredParameters.of(Json.object().put("prompt", words));
        assertThat(stored).hasSizeLessThan(StoredParameters.MAX_CHARS + 100).contains("[truncated").startsWith("{\"prompt\":\"word word");
        assertThat(StoredParameters.of(null)).isNull();
    }
}
