package dev.hearth.usage;

import org.jdbi.v3.core.Handle;

/**
 * Charges that are not inferences, added to the daily usage aggregate ({@code usage_daily}) inside the
 * transaction that takes the money: a dedicated endpoint's worker time (SPEC §7) appears as amount on the
 * endpoint's row without counting as a call, so the row's inferences stay the calls the endpoint served.
 */
public final class DailyCharges {

    private DailyCharges() {
    }

    public static void add(Handle h, String accountId, long at, String model, long amount) {
        if (amount == 0) return;
        h.createUpdate("INSERT INTO usage_daily (account_id, day, model, inferences, failed, amount) VALUES (:acc, :day, :model, 0, 0, :amount) "
                        + "ON CONFLICT (account_id, day, model) DO UPDATE SET amount = usage_daily.amount + excluded.amount")
                .bind("acc", accountId).bind("day", UsageDays.dayOf(at)).bind("model", model).bind("amount", amount).execute();
    }
}
