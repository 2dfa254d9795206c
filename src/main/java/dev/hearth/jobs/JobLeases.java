package dev.hearth.jobs;

import dev.hearth.store.NodeLeases;

/**
 * This node's v2 jobs as leased work: renews the lease of every job it has not finished, and takes over the jobs
 * of nodes whose lease lapsed, which the engine then runs like jobs recovered after a restart (charged only with
 * their completion, so a job that two nodes both ran is still charged once).
 */
public final class JobLeases implements NodeLeases.Work {

    private static final int CLAIM_BATCH = 50;

    private final JobEngine engine;
    private final JobStore store;
    private final String nodeId;

    public JobLeases(JobEngine engine, String nodeId) {
        this.engine = engine;
        this.store = engine.store();
        this.nodeId = nodeId;
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
        var ids = store.leases().claimLapsed(nodeId, now, CLAIM_BATCH);
        if (!ids.isEmpty()) engine.resume(store.load(ids));
        return ids.size();
    }

    @Override
    public void release() {
        store.leases().release(nodeId);
    }
}
