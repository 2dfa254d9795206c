package dev.hearth.runners;

/** Receives a human-readable line for each step of a boot, shown in the log and in the model's status. */
@FunctionalInterface
public interface BootProgress {

    void step(String message);

    BootProgress NONE = message -> { };
}
