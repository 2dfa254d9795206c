package dev.hearth.workflows;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Who hears about a run as it goes (the webhook registry): after each model node, and once at the end. */
public interface RunEvents {

    RunEvents NONE = new RunEvents() {
        @Override
        public void nodeRun(String accountId, String runId, ObjectNode event) {
        }

        @Override
        public void graphRun(String accountId, String runId, ObjectNode event) {
        }
    };

    /** {@code NODE_RUN}: a model node finished (completed or failed). */
    void nodeRun(String accountId, String runId, ObjectNode event);

    /** {@code GRAPH_RUN}: the run ended. */
    void graphRun(String accountId, String runId, ObjectNode event);
}
