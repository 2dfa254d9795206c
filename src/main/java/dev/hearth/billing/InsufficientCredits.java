package dev.hearth.billing;

/** The balance left after other running requests' holds cannot pay this price. */
public class InsufficientCredits extends Exception {

    private final long available;
    private final long price;

    public InsufficientCredits(long available, long price) {
        super(null, null, false, false);
        this.available = available;
        this.price = price;
    }

    public long available() {
        return available;
    }

    public long price() {
        return price;
    }
}
