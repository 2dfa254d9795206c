package dev.hearth.logging;

import io.helidon.logging.common.spi.LoggingProvider;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Helidon's logging provider for Hearth: Helidon looks one up when its server starts, and prints "There is no
 * Helidon logging implementation on classpath" when it finds none. Helidon's own records go through
 * System.Logger, which slf4j-jdk-platform-logging already sends to SLF4J; this provider sends what still uses
 * java.util.logging there too, so every line has Logback's layout instead of JUL's two-line records.
 * (Helidon's own helidon-logging-slf4j does the same, but is not published for Helidon 4.5.0.)
 */
public final class HelidonLogging implements LoggingProvider {

    @Override
    public void initialization() {
        routeJdkLogging();
    }

    @Override
    public void runTime() {
    }

    /** Replaces java.util.logging's console handler with the bridge to SLF4J; safe to call more than once. */
    public static synchronized void routeJdkLogging() {
        if (SLF4JBridgeHandler.isInstalled()) return;
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }
}
