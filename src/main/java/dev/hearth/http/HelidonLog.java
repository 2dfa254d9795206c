package dev.hearth.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.logging.LogRecord;

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
     * handling that finds the answer already sent). Held so that the JUL loggers, and the filters set on them, are
     * not garbage-collected.
     */
    static final java.util.List<java.util.logging.Logger> HELIDON = java.util.stream.Stream.of(
                    "io.helidon.webserver.ConnectionHandler", "io.helidon.webserver.http1.Http1Connection", "io.helidon.webserver.http.ErrorHandlers")
            .map(java.util.logging.Logger::getLogger).toList();

    private HelidonLog() {
    }

    private static final ThreadLocal<Boolean> HEADERS_TOO_LARGE = new ThreadLocal<>();

    /** Installs the filters; the server must log all refusal reasons ({@code ErrorHandling.logAllMessages}). */
    public static void install() {
        HELIDON.forEach(l -> l.setFilter(HelidonLog::pass));
        // the reason of a refused request is a debug record: let it reach the filter (handlers still print INFO and up)
        HELIDON.get(1).setLevel(java.util.logging.Level.FINE);
    }

    /** True, once, when the request this thread just refused had headers over the limit. */
    static boolean takeHeadersTooLarge() {
        boolean was = Boolean.TRUE.equals(HEADERS_TOO_LARGE.get());
        HEADERS_TOO_LARGE.remove();
        return was;
    }

    private static boolean pass(LogRecord r) {
        if (r.getLevel().intValue() < java.util.logging.Level.INFO.intValue()) {
            if (r.getMessage() != null && r.getMessage().contains("Header size exceeded")) HEADERS_TOO_LARGE.set(true);
            return false;
        }
        // an ApiException here was already answered; Helidon only found the connection unusable afterwards
        if (!isIo(r.getThrown()) && !answered(r.getThrown())) return true;
        log.debug("connection ended mid-request: {}", oneLine(r.getThrown()));
        return false;
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
