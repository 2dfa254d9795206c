package dev.hearth.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.event.KeyValuePair;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * One JSON object per line: {@code ts} (ISO-8601 UTC), {@code level}, {@code logger}, {@code thread}, {@code msg},
 * then every SLF4J key-value pair and MDC entry as a top-level field, and {@code error} with the stack trace.
 * Flat fields are what log shippers (Loki, Elasticsearch, CloudWatch) index without extra parsing rules.
 */
public final class JsonLinesLayout extends LayoutBase<ILoggingEvent> {

    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public String doLayout(ILoggingEvent event) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", event.getThreadName());
            g.writeStringField("msg", event.getFormattedMessage());
            if (event.getKeyValuePairs() != null) {
                for (KeyValuePair kv : event.getKeyValuePairs()) writeValue(g, kv.key, kv.value);
            }
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null) for (Map.Entry<String, String> e : mdc.entrySet()) g.writeStringField(e.getKey(), e.getValue());
            IThrowableProxy error = event.getThrowableProxy();
            if (error != null) g.writeStringField("error", ThrowableProxyUtil.asString(error));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append(CoreConstants.LINE_SEPARATOR).toString();
    }

    private static void writeValue(JsonGenerator g, String key, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNullField(key);
            case Integer i -> g.writeNumberField(key, i);
            case Long l -> g.writeNumberField(key, l);
            case Double d -> g.writeNumberField(key, d);
            case Boolean b -> g.writeBooleanField(key, b);
            default -> g.writeStringField(key, value.toString());
        }
    }
}
