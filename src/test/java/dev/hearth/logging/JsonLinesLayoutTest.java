package dev.hearth.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JSON-lines logs: one parseable object per line with key-values as top-level typed fields. */
class JsonLinesLayoutTest {

    @Test
    void anEventBecomesOneJsonObjectWithFlatTypedFields() throws Exception {
        LoggerContext ctx = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        LoggingEvent e = new LoggingEvent("x", ctx.getLogger("hearth.access"), Level.INFO, "POST /v1/bge 200 \"quoted\"\nnext", null, null);
        e.setKeyValuePairs(List.of(new KeyValuePair("request_id", "r-1"), new KeyValuePair("status", 200),
                new KeyValuePair("duration_ms", 1.25), new KeyValuePair("account_id", "acc_1")));
        JsonLinesLayout layout = new JsonLinesLayout();
        layout.setContext(ctx);
        layout.start();
        String line = layout.doLayout(e);
        assertThat(line).endsWith("\n");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode n = Json.MAPPER.readTree(line);
        assertThat(n.get("level").asText()).isEqualTo("INFO");
        assertThat(n.get("logger").asText()).isEqualTo("hearth.access");
        assertThat(n.get("msg").asText()).isEqualTo("POST /v1/bge 200 \"quoted\"\nnext");
        assertThat(n.get("status").isInt()).isTrue();
        assertThat(n.get("duration_ms").asDouble()).isEqualTo(1.25);
        assertThat(n.get("request_id").asText()).isEqualTo("r-1");
        assertThat(n.get("ts").asText()).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
    }

    @Test
    void theFormatSettingSwitchesTheConsoleEncoderAndBack() {
        LoggerContext ctx = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        var console = (ch.qos.logback.core.OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent>)
                ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        try {
            LogFormat.apply("json");
            assertThat(console.getEncoder()).isInstanceOfSatisfying(ch.qos.logback.core.encoder.LayoutWrappingEncoder.class,
                    e -> assertThat(e.getLayout()).isInstanceOf(JsonLinesLayout.class));
        } finally {
            LogFormat.apply("text");
        }
        assertThat(console.getEncoder()).isInstanceOfSatisfying(ch.qos.logback.classic.encoder.PatternLayoutEncoder.class,
                e -> assertThat(e.getPattern()).isEqualTo(LogFormat.TEXT_PATTERN));
    }

    @Test
    void anUnknownFormatIsRefusedWithTheChoices() {
        assertThatThrownBy(() -> LogFormat.apply("xml")).hasMessageContaining("text or json");
    }
}
