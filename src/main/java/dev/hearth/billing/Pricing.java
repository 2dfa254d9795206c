package dev.hearth.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.billing.Money;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * How a model is priced (SPEC §6). {@code per_call}: price per output, multiplied by the parameters named in
 * {@code multiply_by} (a number is taken as is, an array by its length, a missing one as 1).
 * {@code per_second}: price per second of processing, excluding boot and queue. {@code per_token}: price per
 * token the model reports (prompt and completion), at most {@code max_units} per call (the model's context).
 * Amounts are nano-dollars.
 */
public record Pricing(Type type, long price, List<String> multiplyBy, long maxUnits) {

    public enum Type { PER_CALL, PER_SECOND, PER_TOKEN }

    public static Pricing parse(String slug, JsonNode node) {
        if (node == null || node.isMissingNode()) throw new IllegalArgumentException("model " + slug + " has no pricing");
        Type type = switch (node.path("type").asText("per_call")) {
            case "per_call" -> Type.PER_CALL;
            case "per_second" -> Type.PER_SECOND;
            case "per_token" -> Type.PER_TOKEN;
            default -> throw new IllegalArgumentException("model " + slug + ": pricing.type must be per_call, per_second or per_token");
        };
        long price = Money.fromUsd(new BigDecimal(node.path("price").asText("0")));
        if (price <= 0) throw new IllegalArgumentException("model " + slug + ": pricing.price must be above zero");
        List<String> multiplyBy = new ArrayList<>();
        node.path("multiply_by").forEach(n -> multiplyBy.add(n.asText()));
        return new Pricing(type, price, List.copyOf(multiplyBy), node.path("max_units").asLong(4096));
    }

    /** The most this call can cost, known before it runs: what is held. */
    public long worstCase(ObjectNode params, int executionTimeoutSeconds) {
        return switch (type) {
            case PER_CALL -> price * multiplier(params);
            case PER_SECOND -> Money.perSecond(price, executionTimeoutSeconds * 1000L);
            case PER_TOKEN -> price * tokenBound(params);
        };
    }

    /**
     * The most tokens a call can be billed for: the completion limit the caller asked for ({@code max_tokens},
     * else the model's {@code max_units}) plus the prompt. The prompt's tokens are not known before the model
     * reads them, but a byte-level tokenizer never makes more tokens than the text has UTF-8 bytes, and the
     * JSON text of the parameters is longer than the prompt it carries, chat-template tokens included. Never
     * more than {@code max_units}: prompt and completion together cannot pass the model's context.
     */
    private long tokenBound(ObjectNode params) {
        long requested = maxUnits;
        for (String name : new String[]{"max_tokens", "max_completion_tokens", "max_output_tokens"}) {
            JsonNode v = params.get(name);
            if (v != null && v.canConvertToLong() && v.asLong() > 0) {
                requested = Math.min(requested, v.asLong());
                break;
            }
        }
        long promptBound = dev.hearth.http.Json.bytes(params).length;
        return Math.min(maxUnits, requested + promptBound);
    }

    /**
     * The most a workflow node can cost before the values wired into it are known: as {@link #worstCase} with
     * its fixed parameters, except that a per-token model may use all its units (the prompt is not known yet).
     */
    public long worstCaseUnwired(ObjectNode fixedParams, int executionTimeoutSeconds) {
        return type == Type.PER_TOKEN ? price * maxUnits : worstCase(fixedParams, executionTimeoutSeconds);
    }

    /**
     * What the call actually costs once it ran. Never more than {@link #worstCase} by construction; should a
     * runner report more (a per-second call past its timeout), the ledger charges no more than the hold.
     */
    public long actual(ObjectNode params, long processingMillis, long units) {
        return switch (type) {
            case PER_CALL -> price * multiplier(params);
            case PER_SECOND -> Money.perSecond(price, processingMillis);
            case PER_TOKEN -> price * Math.max(0, units);
        };
    }

    private long multiplier(ObjectNode params) {
        long m = 1;
        for (String name : multiplyBy) {
            JsonNode v = params.get(name);
            if (v == null || v.isNull()) continue;
            if (v.isArray()) m *= Math.max(1, v.size());
            else if (v.isNumber()) m *= Math.max(1, v.asLong());
        }
        return m;
    }

    public String describe() {
        String unit = switch (type) {
            case PER_CALL -> "call";
            case PER_SECOND -> "second";
            case PER_TOKEN -> "token";
        };
        String per = multiplyBy.isEmpty() ? "" : ", times " + String.join(" × ", multiplyBy.stream().map(p -> "the count of " + p).toList());
        return "$" + Money.format(price) + " per " + unit + per;
    }

    /** As model lists show it: {@code {"type", "price" (USD), "description"}}. */
    public ObjectNode toJson() {
        return dev.hearth.http.Json.object().put("type", type.name().toLowerCase()).put("price", Money.toUsd(price)).put("description", describe());
    }
}
