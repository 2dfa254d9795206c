package dev.hearth.billing;

/** The result of posting a hold: what was charged and the balances right after. */
public record Settlement(long charged, Balance after) {
}
