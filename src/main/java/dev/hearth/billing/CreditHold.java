package dev.hearth.billing;

/**
 * Credits reserved before work runs: the worst-case price. A call's hold is settled once; a workflow run's
 * hold ({@code multiStep}) is charged by each model node under the node's own request id and voided (the rest
 * given back) when the run ends.
 * <p>
 * {@code allocationId} is set on a call's hold decided in memory ({@link AccountAuthority}): the hold has no row
 * of its own; it is a share of this node's allocation, the open {@code credit_holds} row with that id. Such a hold
 * lives only as long as this process, so it is used only where nothing needs to find it after a restart.
 */
public record CreditHold(String id, String accountId, String requestId, long amount, boolean multiStep, String allocationId) {

    public CreditHold(String id, String accountId, String requestId, long amount, boolean multiStep) {
        this(id, accountId, requestId, amount, multiStep, null);
    }

    public CreditHold(String id, String accountId, String requestId, long amount) {
        this(id, accountId, requestId, amount, false, null);
    }

    /** Whether the hold is a share of this node's allocation, with no database row of its own. */
    public boolean inMemory() {
        return allocationId != null;
    }
}
