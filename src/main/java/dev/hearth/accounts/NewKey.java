package dev.hearth.accounts;

/** A key just created: the only moment its text exists outside the client. */
public record NewKey(String keyId, String apiKey) {
}
