package dev.hearth.billing;

/** Credits reserved for one request before it runs: the worst-case price, released or posted after. */
public record CreditHold(String id, String accountId, String requestId, long amount) {
}
