package dev.hearth.openai;

import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.runners.EventSink;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent-event response that a runner writes to while its job runs: each event is written and
 * flushed at once. The status and headers go out with the first event, so a call that fails before it
 * produced anything still gets an ordinary JSON error; after that a failure can only be told as a last
 * {@code error} event. A client that has gone makes {@link #send} throw, which the runner takes as "stop
 * forwarding".
 */
final class EventStream implements EventSink {

    private final ServerResponse res;
    private volatile String requestId;
    private OutputStream out;
    private boolean broken;

    EventStream(ServerResponse res) {
        this.res = res;
    }

    @Override
    public void admitted(String requestId) {
        this.requestId = requestId;
    }

    @Override
    public synchronized void send(String data) throws IOException {
        if (broken) throw new IOException("the client has gone");
        try {
            if (out == null) open();
            out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            broken = true;
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    private void open() {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        // tells proxies such as nginx not to buffer the stream
        res.header("X-Accel-Buffering", "no");
        if (requestId != null) res.header("x-request-id", requestId);
        out = res.outputStream();
    }

    synchronized boolean started() {
        return out != null;
    }

    /** The stream ended well: OpenAI's terminator, then the end of the response. */
    synchronized void finish() {
        try {
            if (out == null) open();
            if (!broken) out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.close();
        } catch (IOException | UncheckedIOException e) {
            // the client has gone; nothing is left to tell it
        }
    }

    /** The call failed after events went out: one OpenAI-shaped error event, then the end. */
    synchronized void fail(ApiException e) {
        try {
            var err = Json.object();
            err.putObject("error").put("message", e.getMessage()).put("type", e.status() >= 500 ? "server_error" : "invalid_request_error")
                    .put("code", e.status());
            if (!broken) out.write(("data: " + Json.text(err) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.close();
        } catch (IOException | UncheckedIOException ignored) {
            // the client has gone
        }
    }
}
