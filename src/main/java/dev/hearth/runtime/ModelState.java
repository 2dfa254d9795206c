package dev.hearth.runtime;

/** Where a model is in its life (SPEC §4): not loaded, loading, loaded, or its last boot failed. */
public enum ModelState {
    COLD, BOOTING, WARM, FAILED;

    public String wire() {
        return name().toLowerCase();
    }
}
