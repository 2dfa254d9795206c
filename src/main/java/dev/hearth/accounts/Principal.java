package dev.hearth.accounts;

/**
 * Who is calling: an account through one of its keys, or the operator through the admin key
 * (accountId and keyId are null then).
 */
public record Principal(String accountId, String keyId, boolean admin) {

    public static Principal operator() {
        return new Principal(null, null, true);
    }
}
