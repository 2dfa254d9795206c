import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One call at a time against several targets, interleaved in short blocks (200 calls to each in turn, for
 * {@code seconds} in all), so that a shared machine's changing load weighs on every target alike; prints each
 * target's p50 / p90 / p99 in microseconds. The client is a bare HTTP/1.1 keep-alive socket (no client library
 * on the measured path); any answer but 200 stops the run.
 *
 * <p>Usage: {@code java bench/LoneCall.java seconds name=port:path:bodyfile[:api-key] ...}
 */
public final class LoneCall {

    record Target(String name, int port, String path, byte[] body, String key) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]);
        Target[] targets = new Target[args.length - 1];
        for (int i = 1; i < args.length; i++) {
            String[] nv = args[i].split("=", 2);
            String[] p = nv[1].split(":", 4);
            targets[i - 1] = new Target(nv[0], Integer.parseInt(p[0]), p[1], java.nio.file.Files.readAllBytes(java.nio.file.Path.of(p[2])),
                    p.length > 3 ? p[3] : null);
        }
        Socket[] sockets = new Socket[targets.length];
        InputStream[] ins = new InputStream[targets.length];
        byte[][] requests = new byte[targets.length][];
        long[][] samples = new long[targets.length][1 << 22];
        int[] counts = new int[targets.length];
        for (int i = 0; i < targets.length; i++) {
            Target t = targets[i];
            sockets[i] = new Socket("127.0.0.1", t.port());
            sockets[i].setTcpNoDelay(true);
            ins[i] = new java.io.BufferedInputStream(sockets[i].getInputStream(), 1 << 16);
            String head = "POST " + t.path() + " HTTP/1.1\r\nHost: 127.0.0.1:" + t.port() + "\r\nContent-Type: application/json\r\n"
                    + (t.key() == null ? "" : "x-api-key: " + t.key() + "\r\n") + "Content-Length: " + t.body().length + "\r\n\r\n";
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            req.write(head.getBytes(StandardCharsets.US_ASCII));
            req.write(t.body());
            requests[i] = req.toByteArray();
            for (int w = 0; w < 500; w++) call(sockets[i], ins[i], requests[i]); // warm-up
        }
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            for (int i = 0; i < targets.length; i++) {
                for (int n = 0; n < 200 && counts[i] < samples[i].length; n++) {
                    long t0 = System.nanoTime();
                    call(sockets[i], ins[i], requests[i]);
                    samples[i][counts[i]++] = System.nanoTime() - t0;
                }
            }
        }
        for (int i = 0; i < targets.length; i++) {
            long[] s = Arrays.copyOf(samples[i], counts[i]);
            Arrays.sort(s);
            System.out.printf("%-22s %7d calls  p50 %6d µs  p90 %6d µs  p99 %6d µs%n", targets[i].name(), s.length,
                    s[s.length / 2] / 1000, s[(int) (s.length * 0.9)] / 1000, s[(int) (s.length * 0.99)] / 1000);
            sockets[i].close();
        }
    }

    /** Sends the request and reads the answer's head and its Content-Length body; fails on anything but 200. */
    private static void call(Socket s, InputStream in, byte[] request) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request);
        out.flush();
        StringBuilder head = new StringBuilder();
        int c, last4 = 0;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            last4 = (last4 << 8) | c;
            if (last4 == 0x0d0a0d0a) break;
        }
        String h = head.toString();
        if (h.isEmpty()) throw new java.io.EOFException("the server closed the connection");
        if (!h.startsWith("HTTP/1.1 200")) throw new IOException("not 200: " + h.lines().findFirst().orElse("(nothing)"));
        int length = -1;
        for (String line : h.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(line.substring(15).trim());
        }
        if (length < 0) throw new IOException("no Content-Length in " + h);
        in.readNBytes(length);
    }
}
