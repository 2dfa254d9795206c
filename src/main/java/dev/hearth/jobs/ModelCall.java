package dev.hearth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;
import dev.hearth.billing.CreditHold;
import dev.hearth.runners.EventSink;

/**
 * A request to run a model, whatever surface it came from (v1, v2, OpenAI-compatible, workflows).
 * {@code base} is the origin Hearth's own asset URLs start with (media inputs under it are read from storage);
 * {@code fromForm} says the body came from a multipart form, so its text values are typed by the schema;
 * {@code events} is set when the caller streams the output as server-sent events (chat with {@code stream: true});
 * {@code step} when the call is a model node of a workflow run.
 */
public record ModelCall(Principal caller, String slug, ObjectNode body, String base, boolean fromForm, EventSink events,
                        WorkflowStep step) {

    /**
     * A workflow run's model node: the run id goes into the usage record, and the request id is derived from the
     * run and node, so a node run again after a restart can never be charged twice (one charge per request id).
     * {@code runHold}, when set, is the hold the run took at submit: the node charges it instead of holding its
     * own, and skips the checks the run passed at submit (request rate, premium gate).
     */
    public record WorkflowStep(String runId, String requestId, CreditHold runHold) {
    }

    public ModelCall(Principal caller, String slug, ObjectNode body, String base, boolean fromForm, EventSink events) {
        this(caller, slug, body, base, fromForm, events, null);
    }

    public ModelCall(Principal caller, String slug, ObjectNode body) {
        this(caller, slug, body, null, false, null);
    }

    public ModelCall(Principal caller, String slug, ObjectNode body, String base, boolean fromForm) {
        this(caller, slug, body, base, fromForm, null);
    }
}
