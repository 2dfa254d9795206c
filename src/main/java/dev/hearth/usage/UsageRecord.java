package dev.hearth.usage;

/**
 * One inference as SPEC §7 describes it: who, which model, when, how long it waited and worked, how it ended
 * and what it cost (nano-dollars). {@code parameters} is null unless the operator stores parameters.
 */
public record UsageRecord(String requestId, String accountId, String keyId, String model, String endpoint,
                          String workflowRunId, long submittedAt, Long startedAt, long finishedAt, long queueMillis,
                          long processingMillis, int statusCode, long cost, String parameters) {
}
