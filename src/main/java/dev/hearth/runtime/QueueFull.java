package dev.hearth.runtime;

/** The model's queue is at its configured size: the caller gets 503 with Retry-After. */
public class QueueFull extends Exception {

    public QueueFull(String message) {
        super(message, null, false, false);
    }
}
