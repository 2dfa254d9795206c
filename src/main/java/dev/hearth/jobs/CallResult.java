package dev.hearth.jobs;

import dev.hearth.catalog.ModelSpec;
import dev.hearth.limits.RateVerdict;
import dev.hearth.runners.RunOutput;

/** A model call that answered 200: the output and everything the response headers report. */
public record CallResult(String requestId, ModelSpec model, RunOutput output, long cost, long remainingCredits,
                         long queueMillis, long processingMillis, Long seed, RateVerdict rate) {
}
