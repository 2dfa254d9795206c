package dev.hearth.storage;

/**
 * Bytes that are not what they claim or not usable: bad base64, a declared type the content contradicts, a
 * truncated image. The message describes the item without naming it; the caller adds the JSON path.
 * {@code tooLarge} marks refusals that are size limits (413) rather than bad content (422).
 */
public final class BadMedia extends Exception {

    private final boolean tooLarge;

    public BadMedia(String message) {
        this(message, false);
    }

    public BadMedia(String message, boolean tooLarge) {
        super(message, null, false, false);
        this.tooLarge = tooLarge;
    }

    public boolean tooLarge() {
        return tooLarge;
    }
}
