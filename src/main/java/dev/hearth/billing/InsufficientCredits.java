package dev.hearth.billing;

/** The balance left after other running requests' holds cannot pay this price. */
public final class InsufficientCredits extends BillingException {

    private final long available;
    private final long price;

    public InsufficientCredits(long available, long price) {
        super("Insufficient credits: your balance of $" + Money.format(available) + " is below the price of $" + Money.format(price)
                + ". Add credits and try again");
        this.available = available;
        this.price = price;
    }

    public long available() {
        return available;
    }

    public long price() {
        return price;
    }

    /** The refusal's text naming what was to be paid for ("this call to 'x'", "the worst case of a run of this workflow"). */
    public String explain(String what) {
        return "Insufficient credits: your balance of $" + Money.format(available) + " is below the price of $" + Money.format(price) + " for " + what
                + ". Add credits and try again";
    }
}
