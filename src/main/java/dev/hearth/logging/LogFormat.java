package dev.hearth.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.slf4j.LoggerFactory;

import java.util.Iterator;
import java.util.Locale;

/**
 * Switches the console logs between {@code text} (one readable line, key-values appended as {@code key="value"})
 * and {@code json} (JSON lines, see {@link JsonLinesLayout}) from the {@code logging.format} setting. Logback
 * is configured from logback.xml before the settings are read, so the encoder is replaced here in code.
 */
public final class LogFormat {

    /** The same pattern as logback.xml: key-values follow the message, separated by a space only when there are some. */
    static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%replace( %kvp{NONE}){'^ $', ''}%n";

    private LogFormat() {
    }

    public static void apply(String format) {
        String f = format == null || format.isBlank() ? "text" : format.trim().toLowerCase(Locale.ROOT);
        if (!f.equals("text") && !f.equals("json")) {
            throw new IllegalArgumentException("logging.format must be text or json, got '" + format + "'");
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return;  // another SLF4J backend: leave it alone
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out) out.setEncoder(encoder(ctx, f));
        }
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext ctx, String format) {
        if (format.equals("json")) {
            JsonLinesLayout layout = new JsonLinesLayout();
            layout.setContext(ctx);
            layout.start();
            LayoutWrappingEncoder<ILoggingEvent> enc = new LayoutWrappingEncoder<>();
            enc.setContext(ctx);
            enc.setLayout(layout);
            enc.start();
            return enc;
        }
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern(TEXT_PATTERN);
        enc.start();
        return enc;
    }
}
