package dev.hearth.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.helidon.logging.common.spi.LoggingProvider;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** Helidon finds Hearth's logging provider, and records logged through System.Logger or java.util.logging reach Logback. */
class HelidonLoggingTest {

    @Test
    void helidonFindsTheProvider() {
        assertThat(ServiceLoader.load(LoggingProvider.class).stream().map(p -> p.type().getName()))
                .containsExactly(HelidonLogging.class.getName());
    }

    @Test
    void systemLoggerAndJulRecordsGoToLogback() {
        new HelidonLogging().initialization();
        Logger target = (Logger) LoggerFactory.getLogger("io.helidon.test.bridge");
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        target.addAppender(seen);
        target.setLevel(ch.qos.logback.classic.Level.INFO);
        try {
            System.getLogger("io.helidon.test.bridge").log(System.Logger.Level.INFO, "through System.Logger");
            java.util.logging.Logger.getLogger("io.helidon.test.bridge").info("through java.util.logging");
            assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("through System.Logger", "through java.util.logging");
        } finally {
            target.detachAppender(seen);
        }
    }
}
