package dev.hearth.usage;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One inference as SPEC §7 describes it: who, which model, when, how long it waited and worked, how it ended
 * and what it cost (nano-dollars). {@code parameters} is null unless the operator stores parameters.
 * <p>
 * The generations list also reads {@code seed}, {@code error} (of a failed call) and {@code outputUrl} (a
 * stored output) from it. {@code output} (the output as a v2 result shows it; null for v1 media, which is not
 * stored) and {@code remainingCredits} are not stored: they travel to the GENERATION webhook of the account.
 */
public record UsageRecord(String requestId, String accountId, String keyId, String model, String endpoint,
                          String workflowRunId, long submittedAt, Long startedAt, long finishedAt, long queueMillis,
                          long processingMillis, int statusCode, long cost, String parameters,
                          Long seed, String error, String outputUrl, JsonNode output, Long remainingCredits) {

    /** A record without the call's outcome detail (seed, error, output). */
    public UsageRecord(String requestId, String accountId, String keyId, String model, String endpoint,
                       String workflowRunId, long submittedAt, Long startedAt, long finishedAt, long queueMillis,
                       long processingMillis, int statusCode, long cost, String parameters) {
        this(requestId, accountId, keyId, model, endpoint, workflowRunId, submittedAt, startedAt, finishedAt, queueMillis,
                processingMillis, statusCode, cost, parameters, null, null, null, null, null);
    }

    /** How the call ended, in the words of v2 results: COMPLETED, CANCELED (499) or FAILED. */
    public String status() {
        return statusCode == 200 ? "COMPLETED" : statusCode == 499 ? "CANCELED" : "FAILED";
    }
}
