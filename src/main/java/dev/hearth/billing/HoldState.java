package dev.hearth.billing;

/**
 * Where a credit hold stands. OPEN reserves credits; a hold ends once, as SETTLED (its request was charged and
 * the rest released) or VOIDED (all of it given back). The names are what the {@code credit_holds.state}
 * column stores.
 */
public enum HoldState {
    OPEN,
    /** Stored as POSTED, the name rows written before this enum carry. */
    SETTLED,
    VOIDED;

    String column() {
        return this == SETTLED ? "POSTED" : name();
    }

    static HoldState fromColumn(String value) {
        return "POSTED".equals(value) ? SETTLED : valueOf(value);
    }
}
