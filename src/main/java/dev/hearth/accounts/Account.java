package dev.hearth.accounts;

/** An account (a team in Segmind's words): owns keys, balance, plan, usage. Balances in nano-dollars. */
public record Account(String id, String name, String plan, String status, long paidBalance, long freeBalance,
                      long held, long createdAt) {

    public boolean suspended() {
        return "suspended".equals(status);
    }
}
