package dev.hearth.net;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request on a fresh connection to an address the caller has already checked: the socket is opened
 * to that {@link InetAddress}, never to a name, so nothing can resolve the host a second time. TLS verifies the
 * certificate against the URL's host name (SNI included). The request line carries the URL's raw path and query
 * byte for byte, so signed URLs stay valid. {@code Connection: close}: one exchange per connection.
 */
final class Http1Exchange implements Closeable {

    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final Socket socket;
    final int status;
    final Map<String, List<String>> headers;
    final InputStream body;

    private Http1Exchange(Socket socket, int status, Map<String, List<String>> headers, InputStream body) {
        this.socket = socket;
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /** Connects to {@code address} (the checked one), sends the request, and reads the status line and headers. */
    static Http1Exchange send(InetAddress address, URI uri, String method, Map<String, String> extraHeaders, byte[] content,
                              Duration connectTimeout, Duration readTimeout, java.util.function.Consumer<Socket> opened) throws IOException {
        boolean tls = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
        String host = AddressGuard.normalizeHost(uri.getHost());
        Socket socket = new Socket();
        opened.accept(socket);
        try {
            try {
                socket.connect(new InetSocketAddress(address, port), (int) connectTimeout.toMillis());
            } catch (IOException e) {
                throw new ConnectFailed(address, port, e);
            }
            socket.setSoTimeout((int) Math.max(1, readTimeout.toMillis()));
            Socket s = socket;
            if (tls) {
                SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(socket, host, port, true);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                if (!host.contains(":") && !host.matches("[0-9.]+")) p.setServerNames(List.of(new SNIHostName(host)));
                ssl.setSSLParameters(p);
                opened.accept(ssl);
                ssl.startHandshake();
                s = ssl;
            }
            writeRequest(s.getOutputStream(), uri, method, extraHeaders, content);
            InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            int status;
            Map<String, List<String>> headers;
            do {   // skip interim 1xx answers
                status = statusCode(readLine(in));
                headers = readHeaders(in);
            } while (status >= 100 && status < 200);
            return new Http1Exchange(s, status, headers, body(in, method, status, headers));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    private static void writeRequest(OutputStream out, URI uri, String method, Map<String, String> extra, byte[] content) throws IOException {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        StringBuilder head = new StringBuilder(256);
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(uri.getRawAuthority()).append("\r\n");
        head.append("Connection: close\r\n");
        head.append("Accept-Encoding: identity\r\n");
        boolean hasAccept = false;
        for (Map.Entry<String, String> h : extra.entrySet()) {
            String name = h.getKey();
            if (name.isEmpty() || !name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) throw new IllegalArgumentException("invalid header name " + name);
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("host") || lower.equals("content-length") || lower.equals("connection") || lower.equals("transfer-encoding")) continue;
            if (h.getValue().indexOf('\r') >= 0 || h.getValue().indexOf('\n') >= 0) throw new IllegalArgumentException("header " + name + " contains a line break");
            if (lower.equals("accept")) hasAccept = true;
            head.append(name).append(": ").append(h.getValue()).append("\r\n");
        }
        if (!hasAccept) head.append("Accept: */*\r\n");
        if (content != null) head.append("Content-Length: ").append(content.length).append("\r\n");
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        if (content != null) out.write(content);
        out.flush();
    }

    private static int statusCode(String line) throws IOException {
        // "HTTP/1.1 200 OK"
        if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') throw new IOException("not an HTTP/1.x answer");
        try {
            return Integer.parseInt(line.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP status line");
        }
    }

    private static Map<String, List<String>> readHeaders(InputStream in) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int total = 0;
        for (String line; !(line = readLine(in)).isEmpty(); ) {
            total += line.length();
            if (total > MAX_HEADER_BYTES) throw new IOException("response headers over " + MAX_HEADER_BYTES + " bytes");
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        return headers;
    }

    /** A CRLF (or bare LF) terminated line, ISO-8859-1, at most 16 KB. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        for (int c; ; ) {
            c = in.read();
            if (c < 0) throw new IOException("connection closed in the middle of the response head");
            if (c == '\n') break;
            if (line.size() >= MAX_LINE) throw new IOException("response line over " + MAX_LINE + " bytes");
            line.write(c);
        }
        byte[] b = line.toByteArray();
        int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** RFC 9112 §6.3: no body for HEAD/204/304; chunked if the last coding is chunked; else Content-Length; else until close. */
    private static InputStream body(InputStream in, String method, int status, Map<String, List<String>> headers) throws IOException {
        if (method.equals("HEAD") || status == 204 || status == 304) return InputStream.nullInputStream();
        List<String> te = headers.get("transfer-encoding");
        if (te != null && !te.isEmpty()) {
            String last = te.getLast().toLowerCase(Locale.ROOT);
            if (last.endsWith("chunked")) return new ChunkedInput(in);
            return in;
        }
        List<String> cl = headers.get("content-length");
        if (cl != null && !cl.isEmpty()) {
            long n;
            try {
                n = Long.parseLong(cl.getFirst().trim());
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length");
            }
            if (n < 0) throw new IOException("bad Content-Length");
            return new BoundedInput(in, n);
        }
        return in;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** The TCP connection itself failed (refused, unreachable, timed out): nothing was sent, another address may be tried. */
    static final class ConnectFailed extends IOException {
        ConnectFailed(InetAddress address, int port, IOException cause) {
            super("could not connect to " + address.getHostAddress() + " port " + port + ": " + cause.getMessage(), cause);
        }
    }

    /** A response body read in blocks; a one-byte read is a block of one. */
    private abstract static class BodyInput extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }
    }

    /** Exactly n bytes, then end of stream. */
    private static final class BoundedInput extends BodyInput {
        private final InputStream in;
        private long left;

        BoundedInput(InputStream in, long n) {
            this.in = in;
            this.left = n;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) throw new IOException("connection closed before the announced Content-Length arrived");
            left -= n;
            return n;
        }
    }

    /** Chunked transfer coding: size line (hex, extensions ignored), data, CRLF; a zero chunk and trailers end it. */
    private static final class ChunkedInput extends BodyInput {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) return -1;
            if (left == 0) {
                String size = readLine(in);
                int semi = size.indexOf(';');
                try {
                    left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size");
                }
                if (left < 0) throw new IOException("bad chunk size");
                if (left == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers are read and dropped
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) throw new IOException("connection closed in the middle of a chunk");
            left -= n;
            if (left == 0 && !readLine(in).isEmpty()) throw new IOException("chunk not followed by a line break");
            return n;
        }
    }
}
