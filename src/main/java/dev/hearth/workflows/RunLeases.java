package dev.hearth.workflows;

import dev.hearth.store.NodeLeases;
import dev.hearth.workflows.GraphValidator.Checked;
import dev.hearth.workflows.WorkflowStore.RunRecord;

import java.util.function.Function;

/**
 * This node's unfinished workflow runs as leased work: renewed while it lives; runs of a node whose lease lapsed
 * are claimed and resumed here from their finished nodes, each node charged at most once (its request id).
 */
public final class RunLeases implements NodeLeases.Work {

    private static final int CLAIM_BATCH = 20;

    private final WorkflowEngine engine;
    private final WorkflowStore store;
    private final String nodeName;
    private final Function<RunRecord, Checked> graphOf;

    public RunLeases(WorkflowEngine engine, WorkflowStore store, String nodeName, Function<RunRecord, Checked> graphOf) {
        this.engine = engine;
        this.store = store;
        this.nodeName = nodeName;
        this.graphOf = graphOf;
    }

    @Override
    public String name() {
        return "workflow runs";
    }

    @Override
    public void renew(long now) {
        store.runLeases().renew(nodeName, now);
    }

    @Override
    public int takeOverLapsed(long now) {
        var ids = store.runLeases().claimLapsed(nodeName, now, CLAIM_BATCH);
        if (!ids.isEmpty()) engine.resume(store.runs(ids), graphOf);
        return ids.size();
    }

    @Override
    public void release() {
        store.runLeases().release(nodeName);
    }
}
