package dev.hearth.runtime;

/** The model did not finish within its execution timeout: the gateway answers 504. */
public class ExecutionTimeout extends Exception {

    public ExecutionTimeout(String message) {
        super(message);
    }
}
