package dev.hearth.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.config.HearthConfig;
import dev.hearth.runtime.JobLane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Catalog models whose entry says {@code scaling: {backend: kubernetes}}: their workers are the pods of a
 * Kubernetes Deployment, run exactly as a dedicated endpoint's are. Each such model gets an {@link EndpointPool}
 * (the same lane, {@link Scaler} and {@link KubernetesWorkerBackend}) under a catalog-owned endpoint named after
 * the model, whose Deployment is {@code hearth-ep-model-<slug>} (with a hash of
 * the slug after it when the slug has dots or underscores, which Kubernetes names cannot): created on the first call, grown to
 * {@code ceil((queued + running) / slots)} pods up to {@code max_instances}, and shrunk after
 * {@code idle_timeout} down to {@code min_instances} (zero by default). Calls stay catalog calls: priced by the
 * catalog entry and charged per call by the job engine, so the pool's worker time is metered but never billed.
 */
public final class CatalogWorkers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CatalogWorkers.class);
    private static final long TICK_MILLIS = 100;
    private static final long STOP_WAIT_MILLIS = 30_000;
    /** The owner written on the Deployments of catalog models (an endpoint's is its account id). */
    static final String OWNER = "catalog";

    private final Map<String, JobLane> lanes = new HashMap<>();
    private final List<EndpointPool> pools;
    private final Thread ticker;
    private volatile boolean closed;

    private CatalogWorkers(Map<String, JobLane> refusing, List<EndpointPool> pools) {
        this.lanes.putAll(refusing);
        pools.forEach(p -> lanes.put(p.catalogSlug(), p));
        this.pools = pools;
        this.ticker = pools.isEmpty() ? null : Thread.ofPlatform().daemon().name("hearth-catalog-workers").start(this::tick);
    }

    /**
     * Pools for every enabled catalog model on the Kubernetes backend, on the cluster configured under
     * {@code endpoints.kubernetes}; {@code workerTypes} are the runner types `hearth worker` serves. A model the
     * backend cannot run (no image configured, a runner type no pod serves) gets a lane that refuses each call
     * with the reason; nothing is contacted when no entry names Kubernetes.
     */
    public static CatalogWorkers start(Catalog catalog, HearthConfig config, Set<String> workerTypes, Clock clock) {
        List<ModelSpec> models = catalog.all().stream().filter(m -> m.scaling().onKubernetes() && m.enabled() && !m.retired()).toList();
        Map<String, JobLane> refusing = new HashMap<>();
        List<EndpointPool> pools = new java.util.ArrayList<>();
        if (models.isEmpty()) return new CatalogWorkers(refusing, pools);
        JsonNode k8s = config.section("endpoints").path("kubernetes");
        KubernetesWorkerBackend backend = null;
        String noBackend = null;
        try {
            backend = KubernetesWorkerBackend.fromConfig(k8s, workerTypes);
        } catch (RuntimeException e) {
            noBackend = e.getMessage();
        }
        for (ModelSpec m : models) {
            String why = backend == null ? noBackend : backend.refusal(m);
            if (why != null) {
                log.warn("model {} names the kubernetes backend but cannot run there: {}", m.slug(), why);
                refusing.put(m.slug(), JobLane.refusing("Model '" + m.slug() + "' runs on Kubernetes workers, but " + why));
                continue;
            }
            pools.add(new EndpointPool(endpointFor(m, clock.millis()), m, backend, clock));
            log.info("model {}: workers on Kubernetes, Deployment {}", m.slug(), KubernetesWorkerBackend.deploymentName(endpointFor(m, 0)));
        }
        return new CatalogWorkers(refusing, pools);
    }

    /**
     * The catalog-owned endpoint a model's pool runs under: its scaling settings as the endpoint's, one worker
     * per {@code slots} queued-or-running calls, and an id that is a valid Kubernetes name and label value.
     */
    static Endpoint endpointFor(ModelSpec m, long now) {
        var s = m.scaling();
        String id = "model-" + m.slug().replaceAll("[^a-z0-9-]", "-");
        if (!id.equals("model-" + m.slug()) || id.length() > 50) {
            // dots, underscores or length changed the name: a hash of the slug keeps two such models apart
            String hash = String.format(Locale.ROOT, "%08x", m.slug().hashCode());
            id = id.substring(0, Math.min(id.length(), 40)).replaceAll("-+$", "") + "-" + hash;
        }
        return new Endpoint(id, OWNER, m.slug(), m.slug(), s.minInstances(), s.maxInstances(), s.idleTimeoutSeconds(),
                s.executionTimeoutSeconds(), EndpointSettings.REQUEST_COUNT, s.slots(), s.gpu(), false, "idle", null, 0, 0, now, now);
    }

    /** The lanes of the catalog models on Kubernetes, by slug; the model pool sends their calls here. */
    public Map<String, JobLane> lanes() {
        return Map.copyOf(lanes);
    }

    private void tick() {
        while (!closed) {
            try {
                Thread.sleep(TICK_MILLIS);
                pools.forEach(EndpointPool::scale);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                log.error("scaling catalog models' Kubernetes workers failed", e);
            }
        }
    }

    /** Stops the workers: what waits is canceled (v2 jobs run again at the next start) and each Deployment scaled to zero. */
    @Override
    public void close() {
        closed = true;
        if (ticker != null) {
            ticker.interrupt();
            try {
                ticker.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (EndpointPool p : pools) {
            try {
                p.close(STOP_WAIT_MILLIS, false);
            } catch (Exception e) {
                log.warn("closing the Kubernetes workers of model {} failed: {}", p.catalogSlug(), e.toString());
            }
        }
    }
}
