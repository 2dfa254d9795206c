package dev.hearth.jobs;

import dev.hearth.store.NodeLeases;

/**
 * This node's v2 jobs as leased work: renews the lease of every job it has not finished, and takes over the jobs
 * of nodes whose lease lapsed, which the engine then runs like jobs recovered after a restart (charged only with
 * their completion, so a job that two nodes both ran is still charged once). A node with nothing queued or running
 * also takes jobs that have waited on a busy node for longer than {@code waitMillis}; the busy node sees at start
 * that the job is no longer its own and skips it.
 */
public final class JobLeases implements NodeLeases.Work {

    private static final int CLAIM_BATCH = 50;

    private final JobEngine engine;
    private final JobStore store;
    private final String nodeId;
    private final long waitMillis;

    public JobLeases(JobEngine engine, String nodeId, long waitMillis) {
        this.engine = engine;
        this.store = engine.store();
        this.nodeId = nodeId;
        this.waitMillis = waitMillis;
    }

    @Override
    public String name() {
        return "v2 requests";
    }

    @Override
    public void renew(long now) {
        store.leases().renew(nodeId, now);
    }

    @Override
    public int takeOverLapsed(long now) {
        var ids = new java.util.ArrayList<>(store.leases().claimLapsed(nodeId, now, CLAIM_BATCH));
        // an idle node takes a few at a time, so that it does not become the busy one
        if (ids.isEmpty() && engine.idle()) ids.addAll(store.leases().claimWaiting(nodeId, now - waitMillis, now, 2));
        if (!ids.isEmpty()) engine.resume(store.load(ids));
        return ids.size();
    }

    @Override
    public void release() {
        store.leases().release(nodeId);
    }
}
