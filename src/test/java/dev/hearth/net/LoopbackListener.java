package dev.hearth.net;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * An HTTP server on a loopback address that records every request it receives (method, path with raw query,
 * headers, body) and answers through a handler the test gives. Tests that check the guard assert which listeners
 * were hit; traffic never goes anywhere but loopback.
 */
public final class LoopbackListener implements AutoCloseable {

    public record Hit(String method, String rawPathAndQuery, com.sun.net.httpserver.Headers headers, byte[] body) {
    }

    private final HttpServer server;
    public final List<Hit> hits = new CopyOnWriteArrayList<>();

    private LoopbackListener(HttpServer server) {
        this.server = server;
    }

    public static LoopbackListener start(String address, int port, Consumer<HttpExchange> handler) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), port), 16);
        LoopbackListener l = new LoopbackListener(s);
        s.createContext("/", ex -> {
            try {
                byte[] body = ex.getRequestBody().readAllBytes();
                String q = ex.getRequestURI().getRawQuery();
                l.hits.add(new Hit(ex.getRequestMethod(), ex.getRequestURI().getRawPath() + (q == null ? "" : "?" + q), ex.getRequestHeaders(), body));
                handler.accept(ex);
            } finally {
                ex.close();
            }
        });
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.start();
        return l;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Answers 200 with the given bytes. */
    public static Consumer<HttpExchange> bytes(byte[] body, String type) {
        return ex -> {
            try {
                ex.getResponseHeaders().set("Content-Type", type);
                ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                ex.getResponseBody().write(body);
            } catch (IOException ignored) {
                // the client went away: fine for these tests
            }
        };
    }

    /** Answers with a redirect to {@code location}. */
    public static Consumer<HttpExchange> redirect(int status, String location) {
        return ex -> {
            try {
                ex.getResponseHeaders().set("Location", location);
                ex.sendResponseHeaders(status, -1);
            } catch (IOException ignored) {
                // the client went away
            }
        };
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
