package dev.hearth.jobs;

/**
 * A v2 request as stored: what the status and result routes answer. Money in nano-dollars, times in epoch
 * milliseconds; {@code output} is the JSON text of the output.
 */
public record JobRecord(String id, String accountId, String model, JobStatus status, String output, String error,
                        Integer errorStatus, Long cost, Long remaining, Long seed, long submittedAt, Long startedAt,
                        Long finishedAt, Long queueMillis, Long processingMillis, Long expiresAt, String idempotencyKey,
                        String bodyHash, String params, String holdId, long holdAmount, String keyId, String webhookUrl, String base) {
}
