package dev.hearth.runtime;

/**
 * Where an admitted job waits and runs: a catalog model's lane in the public pool, or a dedicated endpoint's
 * private pool. The job engine sees only this, so it never asks which of the two it is talking to.
 */
public interface JobLane {

    /** Queues the job; refuses at once when the queue is full or nothing can run it. */
    void submit(Work work) throws QueueFull, ModelUnavailable;

    /**
     * Queues a job whose caller waits for its end on this thread (a v1 call); a lane may run it right here
     * instead, when nothing is ahead of it, so that it has ended when this returns.
     */
    default void submitAndRun(Work work) throws QueueFull, ModelUnavailable {
        submit(work);
    }

    /** Takes a job out of the queue; true when it was still waiting there. */
    boolean removeQueued(String jobId);

    /** Interrupts a running job; its worker then reports it failed with a CancellationException. */
    boolean interruptRunning(String jobId);

    /** A lane for a model this process cannot run: every job is refused (503). */
    static JobLane refusing(String why) {
        return new JobLane() {
            @Override
            public void submit(Work work) throws ModelUnavailable {
                throw new ModelUnavailable(why, null);
            }

            @Override
            public boolean removeQueued(String jobId) {
                return false;
            }

            @Override
            public boolean interruptRunning(String jobId) {
                return false;
            }
        };
    }
}
