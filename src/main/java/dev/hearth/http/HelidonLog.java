package dev.hearth.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * What Helidon's server logs, made fit for an operator. A client that hangs up or is timed out mid-request is
 * routine on a public server, not an incident: Helidon logs each such connection as a WARNING with a 20-line stack
 * trace (3,000 of them drowned the log in a test); they become one debug line at most. Other warnings pass unchanged.
 * <p>
 * Helidon also refuses headers over its size limit as a bare 400 and says why only in a debug record, just before
 * the error page is made on the same thread; that record is caught here so the page can answer 431 (SPEC §2).
 */
public final class HelidonLog {

    private static final Logger log = LoggerFactory.getLogger(HelidonLog.class);
    /**
     * Helidon's loggers that report a connection ending mid-request (its handler, its HTTP/1 reader, and the error
     * handling that finds the answer already sent).
     */
    static final Set<String> HELIDON = Set.of(
            "io.helidon.webserver.ConnectionHandler", "io.helidon.webserver.http1.Http1Connection", "io.helidon.webserver.http.ErrorHandlers");
    /** The logger whose debug record says why a request was refused. */
    private static final String HTTP1 = "io.helidon.webserver.http1.Http1Connection";

    private HelidonLog() {
    }

    private static final ThreadLocal<Boolean> HEADERS_TOO_LARGE = new ThreadLocal<>();

    /**
     * Installs the filter; the server must log all refusal reasons ({@code ErrorHandling.logAllMessages}). Helidon
     * logs through System.Logger, which slf4j-jdk-platform-logging hands to Logback, so the filter is a Logback turbo
     * filter: it sees each record before the level check, including the debug record Helidon only makes when asked.
     */
    public static void install() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
        if (context.getTurboFilterList().stream().anyMatch(f -> f instanceof ConnectionRecords)) return;
        ConnectionRecords filter = new ConnectionRecords();
        filter.start();
        context.addTurboFilter(filter);
    }

    /** True, once, when the request this thread just refused had headers over the limit. */
    static boolean takeHeadersTooLarge() {
        boolean was = Boolean.TRUE.equals(HEADERS_TOO_LARGE.get());
        HEADERS_TOO_LARGE.remove();
        return was;
    }

    /** Drops Helidon's records of connections that ended mid-request, and notes the headers-too-large refusal. */
    static final class ConnectionRecords extends TurboFilter {
        @Override
        public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level, String format, Object[] params, Throwable t) {
            if (!HELIDON.contains(logger.getName())) return FilterReply.NEUTRAL;
            if (level.toInt() < Level.INFO_INT) {
                // a bare "is debug enabled?" (no message yet): say yes on the reader, so that the reason gets made
                if (format == null) return HTTP1.equals(logger.getName()) ? FilterReply.ACCEPT : FilterReply.NEUTRAL;
                if (format.contains("Header size exceeded")) HEADERS_TOO_LARGE.set(true);
                return FilterReply.DENY;
            }
            Throwable thrown = t != null ? t
                    : params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last ? last : null;
            // an ApiException here was already answered; Helidon only found the connection unusable afterwards
            if (thrown == null || (!isIo(thrown) && !answered(thrown))) return FilterReply.NEUTRAL;
            log.debug("connection ended mid-request: {}", oneLine(thrown));
            return FilterReply.DENY;
        }
    }

    /** True when {@code t} (or a cause) is an I/O failure: a reset, a broken pipe, a read timeout. */
    public static boolean isIo(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException || c instanceof UncheckedIOException
                    || c instanceof io.helidon.common.buffers.DataReader.InsufficientDataAvailableException) return true;
        }
        return false;
    }

    private static boolean answered(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ApiException) return true;
        }
        return false;
    }

    /** True when {@code t} (or a cause) is a read that timed out. */
    public static boolean isTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.SocketTimeoutException) return true;
        }
        return false;
    }

    /** The innermost cause's class and message. */
    public static String oneLine(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
