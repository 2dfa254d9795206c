package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hearth.http.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP server for protocol tests: a test registers handlers that speak the wire format of the
 * system Hearth talks to (a Cog server, an OpenAI-compatible server, a provider's API). It is a stand-in for
 * that server's protocol, never a model: the answers are whatever the test needs to check the plumbing.
 */
final class TestHttpServer implements AutoCloseable {

    interface Handler {
        void handle(HttpExchange ex) throws Exception;
    }

    final HttpServer server;

    TestHttpServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    }

    TestHttpServer on(String pathPrefix, Handler h) {
        server.createContext(pathPrefix, ex -> {
            try {
                h.handle(ex);
            } catch (Exception e) {
                try {
                    send(ex, 500, Json.object().put("error", e.toString()));
                } catch (IOException ignored) {
                    // the client went away
                }
            } finally {
                ex.close();
            }
        });
        return this;
    }

    TestHttpServer start() {
        server.start();
        return this;
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static JsonNode body(HttpExchange ex) throws IOException {
        byte[] b = ex.getRequestBody().readAllBytes();
        return b.length == 0 ? Json.object() : Json.MAPPER.readTree(b);
    }

    static void send(HttpExchange ex, int status, Object json) throws IOException {
        byte[] b = Json.bytes(json);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    /** Starts a server-sent-event response; write events with {@link #event}. */
    static OutputStream startEvents(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        return ex.getResponseBody();
    }

    static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
