package dev.hearth.runtime;

import dev.hearth.runners.RunOutput;

/** A finished run: the output, how long the job waited (boot included) and how long the model worked. */
public record Execution(RunOutput output, long queueMillis, long processingMillis, long startedAt) {
}
