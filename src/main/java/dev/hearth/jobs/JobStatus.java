package dev.hearth.jobs;

/** The states of a request on the wire (SPEC §3.2). */
public enum JobStatus {
    QUEUED, PROCESSING, COMPLETED, FAILED, CANCELED;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == CANCELED;
    }
}
