package dev.hearth.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.billing.Money;
import dev.hearth.http.Json;

import java.math.BigDecimal;

/** The JSON shapes of a v2 request (SPEC §3.2), shared by the result routes and webhook deliveries. */
public final class RequestViews {

    private RequestViews() {
    }

    /**
     * A JSON output as results show it: inlined, except an LLM's (catalog category {@code llm}), which SPEC §3.2
     * gives as the provider's JSON in a string, as Segmind's premium LLM slugs answer.
     */
    public static JsonNode shownJson(ModelSpec model, JsonNode body) {
        return LLM.equals(model.category()) ? Json.MAPPER.getNodeFactory().textNode(Json.text(body)) : body;
    }

    private static final String LLM = "llm";

    public static ObjectNode result(JobRecord r) {
        ObjectNode n = Json.object().put("request_id", r.id()).put("status", r.status().name());
        try {
            n.set("output", r.output() == null ? null : Json.MAPPER.readTree(r.output()));
        } catch (Exception e) {
            n.put("output", r.output());
        }
        n.put("error", r.error());
        if (r.seed() == null) n.putNull("seed");
        else n.put("seed", r.seed());
        n.set("metrics", metrics(r));
        return n;
    }

    /** Times in seconds; money in USD. Present as null until known. */
    static ObjectNode metrics(JobRecord r) {
        ObjectNode m = Json.object();
        m.put("cost", r.cost() == null ? null : Money.toUsd(r.cost()));
        m.put("remaining_credits", r.remaining() == null ? null : Money.toUsd(r.remaining()));
        m.put("inference_time", seconds(r.processingMillis()));
        m.put("queue_time", seconds(r.queueMillis()));
        m.put("total_time", r.finishedAt() == null ? null : seconds(r.finishedAt() - r.submittedAt()));
        return m;
    }

    private static BigDecimal seconds(Long millis) {
        return millis == null ? null : BigDecimal.valueOf(millis, 3);
    }
}
