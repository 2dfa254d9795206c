package dev.hearth.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.ApiException;
import dev.hearth.http.Caller;
import dev.hearth.http.JsonBody;
import dev.hearth.http.Replies;
import dev.hearth.jobs.CallResult;
import dev.hearth.jobs.ModelCall;
import dev.hearth.jobs.ModelCalls;
import dev.hearth.jobs.ModelRoutes;
import dev.hearth.jobs.Surface;
import dev.hearth.runners.RunOutput;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/**
 * OpenAI's {@code POST /v1/chat/completions} over the same pipeline as every model call (SPEC §11): the
 * key, the model's schema, the hold of the worst-case price, the charge of the tokens used, the usage record.
 * {@code model} names a model served in OpenAI's format (an {@code openai} runner, or a provider model of OpenAI),
 * resolved like every model name: the caller's own dedicated endpoint of that name first, then the catalog; the
 * admission chain refuses one that does not speak chat (422) before anything is held. With {@code stream: true} the answer is server-sent events passed through from the model's
 * server as they arrive, ended by {@code data: [DONE]}; the cost is charged when the stream has ended, so
 * the billing headers of a non-streamed call are not sent (x-request-id is).
 */
public final class ChatCompletionsRoute implements HttpService {

    private final Caller caller;
    private final ModelCalls calls;
    private final JsonBody body;

    public ChatCompletionsRoute(Caller caller, ModelCalls calls, JsonBody body) {
        this.caller = caller;
        this.calls = calls;
        this.body = body;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/chat/completions", (req, res) -> {
            var principal = caller.of(req);
            ObjectNode b = body.read(req);
            JsonNode model = b.get("model");
            if (model == null || !model.isTextual()) throw ApiException.invalid("$.model: is required and must be a model id from GET /v1/models");
            String name = model.asText();
            ObjectNode params = b.deepCopy();
            params.remove("model");
            boolean stream = b.path("stream").asBoolean(false);
            if (!stream) {
                CallResult r = calls.call(new ModelCall(principal, name, params, null, false, null, null, Surface.CHAT_COMPLETIONS));
                ModelRoutes.writeHeaders(res, r);
                Replies.ok(res, ((RunOutput.Json) r.output()).body());
                return;
            }
            EventStream events = new EventStream(res);
            try {
                calls.call(new ModelCall(principal, name, params, null, false, events, null, Surface.CHAT_COMPLETIONS));
            } catch (ApiException e) {
                if (!events.started()) throw e;
                events.fail(e);
                return;
            }
            events.finish();
        });
    }
}
