package dev.hearth.billing;

import java.util.Locale;

/** What a ledger row records: credits granted, removed by an operator's correction, or charged for a request. */
public enum EntryKind {
    GRANT, CORRECTION, CHARGE;

    /** The lower-case name the {@code ledger_entries.kind} column and the admin API use. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    static EntryKind fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
