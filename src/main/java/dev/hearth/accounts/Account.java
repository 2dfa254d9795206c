package dev.hearth.accounts;

/** An account (a team in Segmind's words): owns keys, balance, plan, usage. Balances in nano-dollars. */
public record Account(String id, String name, String plan, String status, long paidBalance, long freeBalance,
                      long held, long createdAt) {

    /** Ids of the accounts Hearth creates for itself (no keys, no credits); random ids have no second underscore. */
    public static final String SYSTEM_PREFIX = "acc_hearth_";

    /** An account Hearth owns (the workflow templates' owner), not a user's: lists mark it so. */
    public boolean system() {
        return id.startsWith(SYSTEM_PREFIX);
    }

    public boolean suspended() {
        return "suspended".equals(status);
    }
}
