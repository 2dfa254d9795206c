package dev.hearth.billing;

/** One append-only ledger row. Amount is signed: positive adds credit, negative removes it. */
public record LedgerEntry(long id, String accountId, EntryKind kind, String requestId, String reference, long amount,
                          String creditKind, long freeAmount, long paidAmount, long freeBalanceAfter,
                          long paidBalanceAfter, String description, long createdAt) {
}
