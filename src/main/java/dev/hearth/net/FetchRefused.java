package dev.hearth.net;

/**
 * A URL that Hearth would not or could not fetch: wrong scheme, forbidden address, too big, too slow, or an
 * error answer. The message is meant for the caller and names the URL; callers prefix the field it came from.
 */
public final class FetchRefused extends Exception {

    public FetchRefused(String message) {
        super(message, null, false, false);
    }
}
