package dev.hearth.usage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.billing.Money;
import dev.hearth.http.Json;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The JSON of one generation, shared by the generations routes and the dashboard (docs/api.md, "Segmind SDK
 * routes"): times as ISO-8601 UTC instants, durations in seconds, money in USD.
 */
public final class GenerationView {

    private GenerationView() {
    }

    /** {@code outputKept}: whether the stored output is still there (outputs are deleted after storage.output_retention). */
    public static ObjectNode of(UsageRecord r, boolean outputKept) {
        ObjectNode n = Json.object().put("request_id", r.requestId()).put("model", r.model()).put("status", r.status())
                .put("status_code", r.statusCode())
                .put("created_at", Instant.ofEpochMilli(r.submittedAt()).toString())
                .put("started_at", r.startedAt() == null ? null : Instant.ofEpochMilli(r.startedAt()).toString())
                .put("finished_at", Instant.ofEpochMilli(r.finishedAt()).toString())
                .put("generation_time", seconds(r.processingMillis()))
                .put("queue_time", seconds(r.queueMillis()))
                .put("total_time", seconds(r.finishedAt() - r.submittedAt()))
                .put("cost", Money.toUsd(r.cost()));
        if (r.seed() == null) n.putNull("seed");
        else n.put("seed", r.seed());
        n.put("output_url", outputKept ? r.outputUrl() : null);
        n.put("error", r.error());
        n.put("endpoint_id", r.endpoint());
        n.put("workflow_run_id", r.workflowRunId());
        return n;
    }

    /**
     * The body of a GENERATION webhook: the fields of a v2 result (SPEC §3.2) plus {@code event_type} and
     * {@code model}. {@code output} is there when the call made JSON or a stored output (left out for v1 media,
     * which is not stored); {@code remaining_credits} is the balance right after the charge (null on failure).
     */
    public static ObjectNode event(UsageRecord r) {
        ObjectNode n = Json.object().put("event_type", "GENERATION").put("request_id", r.requestId()).put("model", r.model())
                .put("status", r.status());
        if (r.output() != null) n.set("output", r.output());
        n.put("error", r.error());
        if (r.seed() == null) n.putNull("seed");
        else n.put("seed", r.seed());
        n.putObject("metrics").put("cost", Money.toUsd(r.cost()))
                .put("remaining_credits", r.remainingCredits() == null ? null : Money.toUsd(r.remainingCredits()))
                .put("inference_time", seconds(r.processingMillis())).put("queue_time", seconds(r.queueMillis()))
                .put("total_time", seconds(r.finishedAt() - r.submittedAt()));
        return n;
    }

    static BigDecimal seconds(long millis) {
        return BigDecimal.valueOf(Math.max(0, millis), 3);
    }
}
