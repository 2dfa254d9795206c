package dev.hearth.workflows.operations;

/** An operation could not process its inputs; the message says why, in words a caller can act on. */
public final class OperationFailure extends Exception {

    public OperationFailure(String message) {
        super(message);
    }

    public OperationFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
