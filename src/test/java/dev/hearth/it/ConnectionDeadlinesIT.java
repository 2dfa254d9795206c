package dev.hearth.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow and silent clients over raw sockets (SPEC §2: too slow → 408 or the connection closed; headers over the
 * limit → 431), on a Hearth with short deadlines so the test does not wait 30 seconds: a connection that sends
 * nothing, headers that stop midway or trickle in, a body that pauses (plain and chunked), an idle keep-alive
 * connection, more connections than the cap, and the log an aborted connection leaves. Nothing here measures
 * speed: each check waits (up to a generous bound) for the server to act, and ordering is checked, not durations.
 */
class ConnectionDeadlinesIT {

    static HearthServer server;
    static String host;
    static int port;
    static final List<String> HELIDON_LOGGERS = List.of("io.helidon.webserver.ConnectionHandler", "io.helidon.webserver.http1.Http1Connection",
            "io.helidon.webserver.http.ErrorHandlers");
    /** Records Helidon's connection log passes to its handlers (the filter must keep stack traces out). */
    static final List<LogRecord> helidonConnectionLog = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            helidonConnectionLog.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() {
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of(
                "server.header_timeout", "1s", "server.body_gap", "1s", "server.idle_timeout", "1s", "server.max_connections", "6"), Map.of());
        URI u = URI.create(server.base);
        host = u.getHost();
        port = u.getPort();
        for (String name : HELIDON_LOGGERS) java.util.logging.Logger.getLogger(name).addHandler(capture);
    }

    @AfterAll
    static void stop() {
        for (String name : HELIDON_LOGGERS) java.util.logging.Logger.getLogger(name).removeHandler(capture);
        server.close();
    }

    @Test
    void aConnectionThatSendsNothingGets408AndIsClosed() throws IOException {
        try (Socket s = connect()) {
            String answer = readAll(s);
            assertThat(answer).startsWith("HTTP/1.1 408").contains("\"error\"");
        }
    }

    @Test
    void headersThatStopMidwayGet408() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Half: ");
            assertThat(readAll(s)).startsWith("HTTP/1.1 408");
        }
    }

    @Test
    void headersTrickledInNeverFinishingGet408() throws Exception {
        try (Socket s = connect()) {
            send(s, "GET /health/live HTTP/1.1\r\nHost: x\r\n");
            // one header byte every 100 ms: no gap is long, but the whole never completes
            Thread trickle = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 400; i++) {
                        send(s, "a");
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException e) {
                    // closed by the server: the point of the test
                }
            });
            assertThat(readAll(s)).startsWith("HTTP/1.1 408");
            trickle.interrupt();
        }
    }

    @Test
    void aBodyThatPausesGets408() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /admin/accounts HTTP/1.1\r\nHost: x\r\nx-api-key: " + HearthServer.ADMIN_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\": \"slo");
            String answer = readAll(s);
            assertThat(answer).startsWith("HTTP/1.1 408").contains("paused");
        }
    }

    @Test
    void aChunkedBodyThatPausesGets408() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /admin/accounts HTTP/1.1\r\nHost: x\r\nx-api-key: " + HearthServer.ADMIN_KEY
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"nam\r\n");
            assertThat(readAll(s)).startsWith("HTTP/1.1 408");
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosed() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
            String answer = readUntil(s, "}");
            assertThat(answer).startsWith("HTTP/1.1 200");
            // nothing more is sent: the server closes the connection (end of stream or a reset)
            assertThat(readAll(s)).doesNotContain("HTTP/1.1");
        }
    }

    @Test
    void headersOverTheLimitGet431() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            assertThat(readAll(s)).startsWith("HTTP/1.1 431").contains("\"error\"");
        }
    }

    @Test
    void connectionsPastTheCapWaitUntilOneCloses() throws Exception {
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) silent.add(connect());
            long[] firstClosed = {Long.MAX_VALUE};
            List<Thread> readers = new ArrayList<>();
            for (Socket s : silent) {
                readers.add(Thread.ofVirtual().start(() -> {
                    try {
                        readAll(s);
                    } catch (IOException ignored) {
                        // reset counts as closed too
                    }
                    synchronized (firstClosed) {
                        firstClosed[0] = Math.min(firstClosed[0], System.nanoTime());
                    }
                }));
            }
            try (Socket extra = connect()) {
                send(extra, "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                String answer = readAll(extra);
                long answered = System.nanoTime();
                assertThat(answer).startsWith("HTTP/1.1 200");
                for (Thread t : readers) t.join(20_000);
                // the seventh connection was served only once one of the six had been closed
                synchronized (firstClosed) {
                    assertThat(firstClosed[0]).isLessThanOrEqualTo(answered);
                }
            }
        } finally {
            for (Socket s : silent) s.close();
        }
    }

    @Test
    void abortedConnectionsLeaveNoStackTraceInTheLog() throws Exception {
        for (int i = 0; i < 5; i++) {
            try (Socket s = connect()) {
                send(s, "POST /admin/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
                s.setSoLinger(true, 0); // close with a reset, mid-body
            }
            try (Socket s = connect()) {
                readAll(s); // timed out by the server
            }
        }
        Thread.sleep(500);
        assertThat(helidonConnectionLog).as("records with a stack trace reaching Helidon's log handlers")
                .noneMatch(r -> r.getThrown() != null);
        assertThat(server.get("/health/live", null).status()).isEqualTo(200);
    }

    // ---- raw socket helpers ----

    static Socket connect() throws IOException {
        Socket s = new Socket(host, port);
        s.setSoTimeout(20_000); // far beyond the 1 s deadlines: only a server that never acts fails the test
        return s;
    }

    static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Everything the server sends until it closes the connection. */
    static String readAll(Socket s) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) got.write(buf, 0, n);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server neither answered nor closed within 20 s; got: " + got.toString(StandardCharsets.ISO_8859_1), e);
        } catch (SocketException e) {
            // reset after the answer: what was read stands
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    static String readUntil(Socket s, String end) throws IOException {
        StringBuilder got = new StringBuilder();
        InputStream in = s.getInputStream();
        while (!got.toString().contains(end)) {
            int b = in.read();
            if (b < 0) break;
            got.append((char) b);
        }
        return got.toString();
    }
}
