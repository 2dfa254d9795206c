package dev.hearth.runtime;

/** The model could not be booted, or no slot freed up in time: the gateway answers 503. */
public class ModelUnavailable extends Exception {

    public ModelUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
