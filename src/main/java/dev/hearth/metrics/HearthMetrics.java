package dev.hearth.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Hearth's Prometheus metrics (SPEC §7). The pipeline reports each model call with {@link #recordCall}; the
 * HTTP front reports each request with {@link #recordHttp}; model states, queue depths, usage-writer backlog and
 * ledger totals are gauges read from suppliers at scrape time, so nothing on the request path updates them.
 * Histograms use fixed buckets (not Micrometer's ~70 percentile buckets) to keep one model's series small.
 */
public final class HearthMetrics implements AutoCloseable {

    /** Label value used once {@link #MAX_MODEL_LABELS} distinct models were seen, so a flood of names cannot blow up the series. */
    static final String OTHER_MODEL = "other";
    static final int MAX_MODEL_LABELS = 1_000;

    private static final Duration[] CALL_BUCKETS = durations(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);
    private static final Duration[] OVERHEAD_BUCKETS = durations(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<String, CallMeters> calls = new ConcurrentHashMap<>();
    private final Map<String, Counter> callCodes = new ConcurrentHashMap<>();
    private final Map<String, Counter> httpCounts = new ConcurrentHashMap<>();
    private final Map<String, Timer> httpTimes = new ConcurrentHashMap<>();

    private record CallMeters(Timer queue, Timer processing, Timer total, Timer overhead) {
    }

    public HearthMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * One model call, whatever its outcome: {@code status} is the HTTP code it answered (200, 406, 422, 500...).
     * {@code queue} is the wait for a boot or a free slot, {@code processing} the runner's time, {@code total}
     * the whole pipeline from the request's arrival to the answer; the rest (total − queue − processing) is
     * the gateway's own overhead. Every call is counted and its total time recorded; the queue, processing
     * and overhead histograms take only calls that answered 200, so a refusal or a failure (whose queue and
     * processing times are unknown or zero) never passes for gateway overhead.
     */
    public void recordCall(String model, int status, Duration queue, Duration processing, Duration total) {
        String m = modelLabel(model);
        callCodes.computeIfAbsent(m + '\u0000' + status, k -> Counter.builder("hearth.model.requests")
                .description("Model calls by model and HTTP status code").tags("model", m, "code", Integer.toString(status))
                .register(registry)).increment();
        CallMeters meters = calls.computeIfAbsent(m, this::callMeters);
        meters.total.record(total);
        if (status != 200) return;
        meters.queue.record(queue);
        meters.processing.record(processing);
        Duration overhead = total.minus(queue).minus(processing);
        meters.overhead.record(overhead.isNegative() ? Duration.ZERO : overhead);
    }

    private String modelLabel(String model) {
        String m = model == null || model.isBlank() ? "unknown" : model;
        if (calls.containsKey(m) || calls.size() < MAX_MODEL_LABELS) return m;
        return OTHER_MODEL;
    }

    private CallMeters callMeters(String model) {
        return new CallMeters(callTimer("hearth.model.queue", "Time a call waited for a boot or a free slot", model, CALL_BUCKETS),
                callTimer("hearth.model.processing", "Time the model spent running a call", model, CALL_BUCKETS),
                callTimer("hearth.model.total", "Whole time of a model call in the gateway", model, CALL_BUCKETS),
                callTimer("hearth.gateway.overhead", "Gateway time around a model call: total minus queue and processing", model, OVERHEAD_BUCKETS));
    }

    private Timer callTimer(String name, String description, String model, Duration[] buckets) {
        return Timer.builder(name).description(description).tag("model", model).serviceLevelObjectives(buckets).register(registry);
    }

    /** One HTTP request: {@code route} is the matched route pattern (e.g. {@code /v1/{slug}}), never the raw path. */
    public void recordHttp(String method, String route, int status, long nanos) {
        String key = method + ' ' + route + ' ' + status;
        httpCounts.computeIfAbsent(key, k -> Counter.builder("hearth.http.requests").description("HTTP requests by method, route and status code")
                .tags("method", method, "route", route, "code", Integer.toString(status)).register(registry)).increment();
        httpTimes.computeIfAbsent(route, r -> Timer.builder("hearth.http.request").description("HTTP request time in the gateway, by route")
                .tag("route", r).serviceLevelObjectives(CALL_BUCKETS).register(registry)).record(Duration.ofNanos(nanos));
    }

    /** What a model gauge needs to know about one model at scrape time. */
    public record ModelSnapshot(String state, int instances, int busy, int queued) {
    }

    /**
     * Gauges per model: {@code hearth_model_state{state=...}} is 1 for the current state and 0 for the others;
     * instances, busy and queued (the queue depth) as numbers.
     */
    public void watchModels(Collection<String> slugs, List<String> states, Function<String, ModelSnapshot> status) {
        for (String slug : slugs) {
            for (String state : states) {
                Gauge.builder("hearth.model.state", () -> state.equals(status.apply(slug).state()) ? 1 : 0)
                        .description("1 when the model is in this state (cold, booting, warm, failed)")
                        .tags("model", slug, "state", state).register(registry);
            }
            gauge("hearth.model.instances", "Loaded instances of the model", slug, () -> status.apply(slug).instances());
            gauge("hearth.model.busy", "Calls the model is running now", slug, () -> status.apply(slug).busy());
            gauge("hearth.model.queued", "Calls waiting for the model (queue depth)", slug, () -> status.apply(slug).queued());
        }
    }

    private void gauge(String name, String description, String model, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).tags(Tags.of("model", model)).register(registry);
    }

    /** A gauge read from {@code source} at scrape time (usage-writer backlog, ledger totals...). */
    public <T> void gauge(String name, String description, Tags tags, T source, ToDoubleFunction<T> value) {
        // strong: Micrometer holds gauge sources weakly by default, and a collected source reads as NaN
        Gauge.builder(name, source, value).description(description).tags(tags).strongReference(true).register(registry);
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    private static Duration[] durations(double... seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) out[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
        return out;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
