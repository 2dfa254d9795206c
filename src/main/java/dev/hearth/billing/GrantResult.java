package dev.hearth.billing;

/** A grant or correction, and whether it was a repeat of an earlier one with the same reference. */
public record GrantResult(LedgerEntry entry, boolean repeated) {
}
