package dev.hearth.jobs;

import dev.hearth.http.ApiException;
import dev.hearth.runners.RunFailure;
import dev.hearth.runtime.ExecutionTimeout;
import dev.hearth.runtime.ModelUnavailable;
import dev.hearth.runtime.QueueFull;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CancellationException;

/** Maps why a job produced no output to the SPEC §2 code and a message a person can act on. */
final class Failures {

    private static final Logger log = LoggerFactory.getLogger(Failures.class);

    private Failures() {
    }

    static ApiException of(String slug, Throwable e) {
        if (e instanceof ApiException api) return api;
        if (e instanceof RunFailure rf) return ApiException.invalid(rf.getMessage());
        if (e instanceof ModelUnavailable mu) return new ApiException(503, mu.getMessage()).header("Retry-After", "5");
        if (e instanceof QueueFull qf) return new ApiException(503, qf.getMessage()).header("Retry-After", "5");
        if (e instanceof ExecutionTimeout t) return new ApiException(504, t.getMessage());
        if (e instanceof CancellationException) return new ApiException(499, "Request was canceled");
        log.error("model {} failed", slug, e);
        return new ApiException(500, "Model '" + slug + "' failed while running: " + e.getMessage() + ". You were not charged");
    }
}
