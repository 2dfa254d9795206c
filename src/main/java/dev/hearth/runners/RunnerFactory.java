package dev.hearth.runners;

/**
 * Boots runners of one type. Booting is the slow part of a cold start (loading weights, starting a process,
 * waiting for a remote worker to be ready) and reports its progress through {@link BootProgress}.
 */
public interface RunnerFactory {

    /** The value of {@code runner.type} in the catalog that this factory serves. */
    String type();

    Runner boot(RunnerSpec spec, BootProgress progress) throws Exception;

    /**
     * Why this runner type cannot run on this machine at all (another operating system than its natives are
     * built for), or null when it may. Asked before the artifacts are fetched, so a boot that cannot succeed
     * downloads nothing and fails with this message (a 503 for the caller).
     */
    default String unavailableHere() {
        return null;
    }
}
