package dev.hearth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;
import dev.hearth.runners.EventSink;

/**
 * A request to run a model, whatever surface it came from (v1, v2, OpenAI-compatible). {@code events} is set
 * when the caller streams the output as server-sent events (chat completions with {@code stream: true}).
 */
public record ModelCall(Principal caller, String slug, ObjectNode body, EventSink events) {

    public ModelCall(Principal caller, String slug, ObjectNode body) {
        this(caller, slug, body, null);
    }
}
