package dev.hearth.jobs;

import dev.hearth.http.ApiException;

/** How a job ended, as its waiting caller (a v1 request) sees it. */
public sealed interface JobOutcome {

    record Completed(CallResult result) implements JobOutcome {
    }

    record Failed(ApiException error) implements JobOutcome {
    }
}
