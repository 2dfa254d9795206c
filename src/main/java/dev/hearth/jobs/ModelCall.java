package dev.hearth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;
import dev.hearth.billing.CreditHold;
import dev.hearth.runners.EventSink;

import java.util.Set;

/**
 * A request to run a model, whatever surface it came from (v1, v2, OpenAI-compatible, workflows).
 * {@code base} is the origin Hearth's own asset URLs start with (media inputs under it are read from storage);
 * {@code fromForm} says the body came from a multipart form, so its text values are typed by the schema;
 * {@code events} is set when the caller streams the output as server-sent events (chat with {@code stream: true});
 * {@code step} when the call is a model node of a workflow run; {@code surface} is the route it came in by, whose
 * needs the admission chain checks before anything is held.
 */
public record ModelCall(Principal caller, String slug, ObjectNode body, String base, boolean fromForm, EventSink events,
                        WorkflowStep step, Surface surface) {

    /**
     * A workflow run's model node: the run id goes into the usage record, and the request id is derived from the
     * run and node, so a node run again after a restart can never be charged twice (one charge per request id).
     * {@code doneByRun} names the admission steps the run took once for all its nodes at submit; the node's
     * call skips them (only {@link AdmissionChain#RUN_MAY_TAKE} may be named). {@code runHold}, when set, is the
     * credit hold the run took at submit for its whole worst case: the node charges it instead of holding its own.
     */
    public record WorkflowStep(String runId, String requestId, Set<AdmissionChain.Step> doneByRun, CreditHold runHold) {
        public WorkflowStep {
            doneByRun = Set.copyOf(doneByRun);
            if (!AdmissionChain.RUN_MAY_TAKE.containsAll(doneByRun)) {
                throw new IllegalArgumentException("a workflow run may take only " + AdmissionChain.RUN_MAY_TAKE + " for its nodes, not " + doneByRun);
            }
        }

        public WorkflowStep(String runId, String requestId) {
            this(runId, requestId, Set.of(), null);
        }

        /** A node of a run admitted at submit: the run counted against the rate, passed the premium gate and holds for it. */
        public static WorkflowStep ofRun(String runId, String requestId, CreditHold runHold) {
            return new WorkflowStep(runId, requestId, AdmissionChain.RUN_MAY_TAKE, runHold);
        }
    }

    public ModelCall(Principal caller, String slug, ObjectNode body, String base, boolean fromForm, EventSink events,
                     WorkflowStep step) {
        this(caller, slug, body, base, fromForm, events, step, Surface.MODEL);
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
