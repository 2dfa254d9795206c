package dev.hearth.billing;

/**
 * Credits reserved before work runs: the worst-case price. A call's hold is settled once; a workflow run's
 * hold ({@code multiStep}) is charged by each model node under the node's own request id and voided (the rest
 * given back) when the run ends.
 */
public record CreditHold(String id, String accountId, String requestId, long amount, boolean multiStep) {

    public CreditHold(String id, String accountId, String requestId, long amount) {
        this(id, accountId, requestId, amount, false);
    }
}
