package dev.hearth.jobs;

import dev.hearth.billing.Money;
import dev.hearth.http.BaseUrl;
import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.JsonBody;
import dev.hearth.runners.RunOutput;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerResponse;

import java.util.Base64;
import java.util.Locale;

/**
 * {@code POST /v1/{slug}}: the synchronous model API (SPEC §3.1). Waits for the output and answers it with the
 * billing headers: raw bytes for media (or base64 JSON when asked), the model's JSON otherwise.
 */
public final class ModelRoutes implements HttpService {

    private final Caller caller;
    private final ModelCalls calls;
    private final JsonBody body;
    private final BaseUrl base;

    public ModelRoutes(Caller caller, ModelCalls calls, JsonBody body, BaseUrl base) {
        this.caller = caller;
        this.calls = calls;
        this.body = body;
        this.base = base;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/{slug}", (req, res) -> {
            var principal = caller.of(req);
            JsonBody.Parsed parsed = body.readJsonOrForm(req);
            var params = parsed.body();
            boolean base64 = params.path("base64").asBoolean(false) || "true".equals(params.path("base64").asText());
            CallResult r = calls.call(new ModelCall(principal, req.path().pathParameters().get("slug"), params, base.of(req), parsed.isForm()));
            writeHeaders(res, r);
            switch (r.output()) {
                case RunOutput.Json j -> {
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(Json.bytes(j.body()));
                }
                case RunOutput.Media m when base64 -> {
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    String field = m.contentType().startsWith("audio/") ? "audio" : m.contentType().startsWith("video/") ? "video" : "image";
                    res.send(Json.bytes(Json.object().put(field, Base64.getEncoder().encodeToString(m.bytes())).put("content_type", m.contentType())));
                }
                case RunOutput.Media m -> {
                    res.header(HeaderNames.CONTENT_TYPE, m.contentType());
                    res.send(m.bytes());
                }
            }
        });
    }

    /** The SPEC §3.1 headers every successful model response carries. */
    public static void writeHeaders(ServerResponse res, CallResult r) {
        res.header("x-request-id", r.requestId());
        res.header("x-remaining-credits", Money.format(r.remainingCredits()));
        res.header("x-cost", Money.format(r.cost()));
        res.header("x-generation-time", seconds(r.processingMillis()));
        res.header("x-queue-time", seconds(r.queueMillis()));
        if (r.seed() != null) res.header("x-seed-value", Long.toString(r.seed()));
        if (r.rate() != null) r.rate().writeTo(res::header);
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }
}
