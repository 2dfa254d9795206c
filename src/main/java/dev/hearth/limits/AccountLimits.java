package dev.hearth.limits;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;

/** What one account may do: its plan's numbers with the account's overrides applied. */
public record AccountLimits(String accountId, String plan, long requestsPerMinute, long readRequestsPerMinute,
                            int concurrentJobs, boolean paid, LimitOverrides overrides) {

    static AccountLimits of(String accountId, Plan plan, LimitOverrides o) {
        return new AccountLimits(accountId, plan.name(),
                o.requestsPerMinute() != null ? o.requestsPerMinute() : plan.requestsPerMinute(),
                o.readRequestsPerMinute() != null ? o.readRequestsPerMinute() : plan.readRequestsPerMinute(),
                o.concurrentJobs() != null ? o.concurrentJobs() : plan.concurrentJobs(),
                plan.paid(), o);
    }

    /** How a refusal names where a number comes from: the plan, or this account's own setting. */
    String source(boolean overridden) {
        return overridden ? "set for this account (plan '" + plan + "')" : "of plan '" + plan + "'";
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object().put("account_id", accountId).put("plan", plan);
        n.putObject("effective").put("requests_per_minute", requestsPerMinute).put("read_requests_per_minute", readRequestsPerMinute)
                .put("concurrent_jobs", concurrentJobs).put("paid", paid);
        n.set("overrides", overrides.toJson());
        return n;
    }
}
