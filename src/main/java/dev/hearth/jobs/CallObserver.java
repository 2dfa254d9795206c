package dev.hearth.jobs;

/** Told of every model call's outcome and times (milliseconds), for metrics. */
@FunctionalInterface
public interface CallObserver {

    void observe(String model, int status, long queueMillis, long processingMillis, long totalMillis);

    CallObserver NONE = (m, s, q, p, t) -> { };
}
