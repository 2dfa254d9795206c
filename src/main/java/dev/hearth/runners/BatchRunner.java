package dev.hearth.runners;

import java.util.List;

/**
 * A runner whose model takes lists, so that the execution lane may gather the jobs of several callers into one
 * call (dynamic batching, the catalog's {@code scaling.batch_window_ms} and {@code max_batch}). The lane still
 * settles, times and bills each job as its own; the runner only has to give each input its own output.
 */
public interface BatchRunner extends Runner {

    /**
     * One output per input, in the order of the inputs, from one call. Throws when the call fails as a whole
     * (one bad input fails the batch: the lane then runs each input alone, so that only the bad one fails).
     */
    List<RunOutput> runBatch(List<RunInput> inputs) throws Exception;

    /**
     * How much of a batch's work an output stands for, for sharing the batch's processing time among its
     * jobs; by default every output weighs the same.
     */
    default long weight(RunOutput output) {
        return 1;
    }
}
