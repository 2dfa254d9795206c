package dev.hearth.jobs;

import dev.hearth.catalog.ModelSpec;
import dev.hearth.runtime.JobLane;

/**
 * An account's dedicated endpoint as the job pipeline sees it (SPEC §9): the model it runs and the private
 * queue its jobs go to instead of the public model pool (a {@link JobLane}, like a catalog model's). The
 * endpoints package implements it; the pipeline stays one: a call to an endpoint is validated, limited, held,
 * run and recorded like any model call.
 */
public interface EndpointTarget extends JobLane {

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
}
