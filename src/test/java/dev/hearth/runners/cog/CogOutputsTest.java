package dev.hearth.runners.cog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.http.Json;
import dev.hearth.runners.RunOutput;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Cog prediction bodies → Hearth outputs, without a network (data URLs only). */
class CogOutputsTest {

    final CogOutputs outputs = new CogOutputs(null);

    JsonNode prediction(String json) throws IOException {
        return Json.MAPPER.readTree(json);
    }

    @Test
    void aDataUrlIsTheMediaOutputWithItsTypeAndThePredictTime() throws Exception {
        RunOutput out = outputs.convert(prediction("""
                {"status": "succeeded", "output": ["data:image/webp;base64,UklGRg==", "data:image/webp;base64,AAAA"],
                 "metrics": {"predict_time": 1.2345}}"""), "image/png");
        assertThat(out).isInstanceOf(RunOutput.Media.class);
        RunOutput.Media m = (RunOutput.Media) out;
        assertThat(m.contentType()).isEqualTo("image/webp");
        assertThat(new String(m.bytes(), StandardCharsets.ISO_8859_1)).isEqualTo("RIFF");
        assertThat(m.reportedMillis()).isEqualTo(1235L);
    }

    @Test
    void jsonOutputsKeepObjectsAndWrapTheRestAndCountTokens() throws Exception {
        RunOutput.Json obj = (RunOutput.Json) outputs.convert(prediction("{\"output\": {\"label\": \"cat\"}, \"metrics\": {\"billable_units\": 7}}"), "application/json");
        assertThat(obj.body().get("label").asText()).isEqualTo("cat");
        assertThat(obj.billableUnits()).isEqualTo(7);
        assertThat(obj.reportedMillis()).isNull();
        RunOutput.Json text = (RunOutput.Json) outputs.convert(prediction(
                "{\"output\": [\"Hel\", \"lo\"], \"metrics\": {\"input_token_count\": 3, \"output_token_count\": 2, \"predict_time\": 0.5}}"), "application/json");
        assertThat(text.body().get("output")).hasSize(2);
        assertThat(text.billableUnits()).isEqualTo(5);
        assertThat(text.reportedMillis()).isEqualTo(500L);
    }

    @Test
    void aMediaModelWithoutAFileOrWithABrokenDataUrlFails() {
        assertThatThrownBy(() -> outputs.convert(prediction("{\"output\": \"just text\"}"), "image/png")).hasMessageContaining("no file");
        assertThatThrownBy(() -> outputs.convert(prediction("{\"output\": \"data:image/png;base64,@@@\"}"), "image/png")).hasMessageContaining("base64");
    }

    @Test
    void pydanticDetailsBecomeFieldMessages() throws Exception {
        assertThat(CogOutputs.detail(prediction("{\"detail\": [{\"loc\": [\"body\", \"input\", \"width\"], \"msg\": \"too big\"}]}"), ""))
                .isEqualTo("width: too big");
        assertThat(CogOutputs.detail(prediction("{\"error\": \"boom\"}"), "")).isEqualTo("boom");
    }
}
