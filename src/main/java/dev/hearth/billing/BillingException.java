package dev.hearth.billing;

/**
 * A refusal from billing. Billing knows nothing of HTTP: {@link dev.hearth.http.HttpFront} maps each kind to
 * its SPEC §2 status (406 insufficient credits, 404 unknown account, 409 reference reused, 422 correction
 * below zero). A refusal changes nothing.
 */
public abstract sealed class BillingException extends RuntimeException
        permits InsufficientCredits, BillingException.UnknownAccount, BillingException.ReferenceReused, BillingException.BelowZero {

    BillingException(String message) {
        super(message, null, false, false);
    }

    /** No account with this id. */
    public static final class UnknownAccount extends BillingException {
        UnknownAccount(String accountId) {
            super("Account " + accountId + " not found");
        }
    }

    /** A grant's reference was used before for a different amount or kind of credit. */
    public static final class ReferenceReused extends BillingException {
        ReferenceReused(String message) {
            super(message);
        }
    }

    /** A correction would take a balance below zero (or below what running requests hold). */
    public static final class BelowZero extends BillingException {
        BelowZero(String message) {
            super(message);
        }
    }
}
