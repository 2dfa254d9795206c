package dev.hearth.runners;

/**
 * Thrown by a runner when the input is acceptable to the schema but the model refuses it (too many tokens,
 * an image it cannot decode...). The gateway answers 422 with this message; anything else a runner throws is
 * a model failure (500).
 */
public class RunFailure extends Exception {

    public RunFailure(String message) {
        super(message);
    }
}
