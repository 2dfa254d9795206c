package dev.hearth.artifacts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.hearth.http.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A package registry on a loopback port for tests: serves files the test puts in it (npm metadata and tarballs,
 * Maven jars and checksum sidecars) and records every request, so a test can tell whether a fetch touched the
 * network. Only 127.0.0.1 is used.
 */
public final class LocalRegistry implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    public final List<String> hits = new CopyOnWriteArrayList<>();

    public LocalRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            hits.add(path);
            byte[] body = files.get(path);
            try (exchange; OutputStream out = exchange.getResponseBody()) {
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, body.length);
                out.write(body);
            }
        });
        server.start();
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void put(String path, byte[] body) {
        files.put(path, body);
    }

    /**
     * Publishes an npm package version: the tarball, and metadata whose {@code dist.integrity} is the sha512 of
     * {@code integrityOf} (pass the tarball itself for an honest registry, other bytes for a lying one).
     */
    public void publishNpm(String name, String version, byte[] tarball, byte[] integrityOf) {
        String file = "/" + name + "/-/" + name.substring(name.indexOf('/') + 1) + "-" + version + ".tgz";
        put(file, tarball);
        ObjectNode meta = Json.object().put("name", name).put("version", version);
        meta.putObject("dist").put("tarball", base() + file).put("integrity", "sha512-" + Base64.getEncoder().encodeToString(digest("SHA-512", integrityOf)))
                .put("shasum", HexFormat.of().formatHex(digest("SHA-1", integrityOf)));
        byte[] json = Json.bytes(meta);
        put("/" + name.replace("/", "%2f") + "/" + version, json);
    }

    /** Publishes a Maven jar with the sidecars named ("sha1", "sha256"), computed over {@code checksumOf}. */
    public String publishMaven(String group, String artifact, String version, byte[] jar, byte[] checksumOf, String... sidecars) {
        String path = "/" + group.replace('.', '/') + "/" + artifact + "/" + version + "/" + artifact + "-" + version + ".jar";
        put(path, jar);
        for (String s : sidecars) {
            String alg = s.equals("sha1") ? "SHA-1" : "SHA-256";
            put(path + "." + s, (HexFormat.of().formatHex(digest(alg, checksumOf)) + "  " + artifact + "-" + version + ".jar\n").getBytes());
        }
        return path;
    }

    public static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
