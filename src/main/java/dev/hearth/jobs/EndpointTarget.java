package dev.hearth.jobs;

import dev.hearth.catalog.ModelSpec;
import dev.hearth.runtime.ModelUnavailable;
import dev.hearth.runtime.QueueFull;
import dev.hearth.runtime.Work;

/**
 * An account's dedicated endpoint as the job pipeline sees it (SPEC §9): the model it runs and the private
 * queue its jobs go to instead of the public model pool. The endpoints package implements it; the pipeline
 * stays one: a call to an endpoint is validated, limited, held, run and recorded like any model call.
 */
public interface EndpointTarget {

    /**
     * The model as this endpoint serves it: {@code slug} is the endpoint's name (usage records, job records and
     * error messages speak of the endpoint), the pricing is zero (an endpoint is billed for its workers'
     * up-time, not per call) and the execution timeout is the endpoint's.
     */
    ModelSpec model();

    /** The catalog slug of the model the endpoint runs, for its input validator. */
    String catalogSlug();

    /** The endpoint's id, for the usage record's {@code endpoint} field. */
    String id();

    void submit(Work work) throws QueueFull, ModelUnavailable;

    /** Takes a job out of the endpoint's queue; true when it was still waiting there. */
    boolean removeQueued(String jobId);

    /** Interrupts a running job; its worker reports it failed with a CancellationException. */
    boolean interruptRunning(String jobId);
}
