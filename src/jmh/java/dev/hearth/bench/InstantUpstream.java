package dev.hearth.bench;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * An OpenAI-compatible upstream that answers at once with a fixed chat completion, for measuring what the
 * gateway adds (bench/overhead.sh): the same request is timed against it directly and through Hearth. It reads
 * and discards the request body, as a server must, and does nothing else. Usage: {@code InstantUpstream PORT}
 * (0 picks a free port); prints {@code listening on PORT}.
 */
public final class InstantUpstream {

    private static final byte[] ANSWER = """
            {"id":"chatcmpl-bench","object":"chat.completion","created":1764115200,"model":"bench",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}""".getBytes(StandardCharsets.UTF_8);
    private static final byte[] MODELS = "{\"object\":\"list\",\"data\":[{\"id\":\"bench\",\"object\":\"model\"}]}".getBytes(StandardCharsets.UTF_8);

    private InstantUpstream() {
    }

    public static void main(String[] args) throws Exception {
        WebServer server = start(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        System.out.println("listening on " + server.port());
        Thread.currentThread().join();
    }

    /** Starts it on 127.0.0.1 (port 0: a free one) in this JVM, for benchmarks that call it in-process. */
    public static WebServer start(int port) {
        HttpRouting.Builder routing = HttpRouting.builder()
                .get("/v1/models", (req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(MODELS);
                })
                .post("/v1/chat/completions", (req, res) -> {
                    try (InputStream in = req.content().inputStream()) {
                        in.transferTo(OutputSink.INSTANCE);
                    }
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(ANSWER);
                });
        return WebServer.builder().host("127.0.0.1").port(port).routing(routing).build().start();
    }

    private static final class OutputSink extends java.io.OutputStream {
        static final OutputSink INSTANCE = new OutputSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
