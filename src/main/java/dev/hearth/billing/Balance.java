package dev.hearth.billing;

/** An account's balances in nano-dollars. {@code held} is reserved by running requests. */
public record Balance(long paid, long free, long held) {

    public long total() {
        return paid + free;
    }

    public long available() {
        return paid + free - held;
    }
}
