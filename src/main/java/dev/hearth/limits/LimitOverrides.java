package dev.hearth.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;

import java.util.Iterator;
import java.util.Set;

/**
 * An account's own numbers in place of its plan's (enterprise deals, a trial with more room). A null field
 * means "the plan's number"; all null means the account follows its plan exactly.
 */
public record LimitOverrides(Long requestsPerMinute, Long readRequestsPerMinute, Integer concurrentJobs) {

    public static final LimitOverrides NONE = new LimitOverrides(null, null, null);
    private static final Set<String> FIELDS = Set.of("requests_per_minute", "read_requests_per_minute", "concurrent_jobs");

    public boolean isEmpty() {
        return requestsPerMinute == null && readRequestsPerMinute == null && concurrentJobs == null;
    }

    /**
     * The body of {@code PUT /admin/accounts/{id}/limits}: each field a positive whole number, or null / absent
     * for the plan's number. Unknown fields are refused so that a typo does not silently leave the plan's limit.
     */
    public static LimitOverrides fromJson(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiException.invalid("$." + f + ": unknown field; the limits an account can override are requests_per_minute, "
                        + "read_requests_per_minute and concurrent_jobs");
            }
        }
        Long rpm = number(body, "requests_per_minute", LimitsConfig.MAX_PER_MINUTE);
        Long reads = number(body, "read_requests_per_minute", LimitsConfig.MAX_PER_MINUTE);
        Long jobs = number(body, "concurrent_jobs", 1_000_000);
        return new LimitOverrides(rpm, reads, jobs == null ? null : jobs.intValue());
    }

    private static Long number(JsonNode body, String field, long max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.canConvertToExactIntegral() || v.asLong() < 1 || v.asLong() > max) {
            throw ApiException.invalid("$." + field + ": must be a whole number from 1 to " + max + ", or null for the plan's number");
        }
        return v.asLong();
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("requests_per_minute", requestsPerMinute);
        n.put("read_requests_per_minute", readRequestsPerMinute);
        n.put("concurrent_jobs", concurrentJobs);
        return n;
    }
}
