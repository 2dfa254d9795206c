package dev.hearth.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.InputValidator;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.http.ListenAddress;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * {@code hearth worker}: one built-in model behind Cog's HTTP protocol, so that it can run in its own process
 * or on another machine and be driven by a gateway's {@code cog} or {@code worker-process} runner (SPEC §13).
 * The server listens at once and loads the model in the background: {@code GET /health-check} says STARTING,
 * then READY (or BUSY while every slot is taken), or SETUP_FAILED with the reason in the setup logs.
 * Predictions are synchronous: {@code POST /predictions} and the idempotent {@code PUT /predictions/{id}}
 * (a second request with the id of a running prediction waits for it and gets the same answer instead of
 * starting another); {@code POST /predictions/{id}/cancel} interrupts one. At most {@code slots} predictions
 * run at once, beyond that 409. Inputs are checked against the model's catalog schema (422, pydantic's
 * error shape); a model's own refusal is 422 too; any other failure is a {@code failed} prediction.
 */
public final class CogWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CogWorker.class);

    private final ModelSpec spec;
    private final RunnerFactory factory;
    private final InputValidator validator;
    private final Semaphore slots;
    private final Map<String, Prediction> running = new ConcurrentHashMap<>();
    private final ExecutorService runs = Executors.newVirtualThreadPerTaskExecutor();
    private final String setupStartedAt = Instant.now().toString();
    private volatile String setupCompletedAt;
    private volatile String setupStatus = "starting";
    private volatile String setupLogs = "";
    private volatile Runner runner;
    private WebServer server;

    /** One prediction in progress: its task (for cancel) and the answer every request with its id gets. */
    private static final class Prediction {
        final CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
        volatile Future<?> task;
        volatile boolean canceled;

        void cancel() {
            canceled = true;
            Future<?> t = task;
            if (t != null) t.cancel(true);
        }
    }

    public CogWorker(ModelSpec spec, RunnerFactory factory) {
        this.spec = spec;
        this.factory = factory;
        this.validator = new InputValidator(spec.inputSchema());
        this.slots = new Semaphore(spec.scaling().slots());
    }

    /** Starts listening and loading the model; returns the port. */
    public int start(String host, int port) {
        ListenAddress.requireFree(host, port);
        HttpRouting.Builder routing = HttpRouting.builder();
        routing.get("/", (req, res) -> json(res, 200, Json.object().put("healthcheck_url", "/health-check")
                .put("predictions_url", "/predictions").put("predictions_idempotent_url", "/predictions/{prediction_id}")
                .put("predictions_cancel_url", "/predictions/{prediction_id}/cancel").put("model", spec.slug())));
        routing.get("/health-check", (req, res) -> json(res, 200, health()));
        routing.post("/predictions", (req, res) -> predict(req, res, null));
        routing.put("/predictions/{id}", (req, res) -> predict(req, res, req.path().pathParameters().get("id")));
        routing.post("/predictions/{id}/cancel", (req, res) -> {
            Prediction p = running.get(req.path().pathParameters().get("id"));
            if (p == null) {
                json(res, 404, Json.object().put("detail", "Not found"));
                return;
            }
            p.cancel();
            json(res, 200, Json.object());
        });
        server = WebServer.builder().host(host).port(port).shutdownHook(false).maxPayloadSize(-1).routing(routing).build().start();
        int bound = ListenAddress.boundPort(server, host, port);
        Thread.ofPlatform().name("worker-setup").start(this::setup);
        return bound;
    }

    private void setup() {
        long t0 = System.nanoTime();
        StringBuilder logs = new StringBuilder();
        try {
            runner = factory.boot(spec.runner(), step -> {
                logs.append(step).append('\n');
                setupLogs = logs.toString();
                log.info("setup {}: {}", spec.slug(), step);
            });
            setupStatus = "succeeded";
            log.info("{} ready in {} s", spec.slug(), String.format("%.2f", (System.nanoTime() - t0) / 1e9));
        } catch (Exception | LinkageError e) {
            logs.append("setup failed: ").append(e.getMessage()).append('\n');
            setupLogs = logs.toString();
            setupStatus = "failed";
            log.error("setup of {} failed", spec.slug(), e);
        } finally {
            setupCompletedAt = Instant.now().toString();
        }
    }

    private ObjectNode health() {
        String status = switch (setupStatus) {
            case "starting" -> "STARTING";
            case "failed" -> "SETUP_FAILED";
            default -> slots.availablePermits() == 0 ? "BUSY" : "READY";
        };
        ObjectNode h = Json.object().put("status", status);
        h.putObject("setup").put("started_at", setupStartedAt).put("completed_at", setupCompletedAt)
                .put("status", setupStatus).put("logs", setupLogs);
        return h;
    }

    private void predict(ServerRequest req, ServerResponse res, String pathId) throws Exception {
        JsonNode body;
        try (InputStream in = req.content().inputStream()) {
            body = Json.MAPPER.readTree(in);
        } catch (IOException e) {
            json(res, 400, Json.object().put("detail", "the body is not JSON: " + e.getMessage()));
            return;
        }
        if (body == null || !body.isObject()) {
            json(res, 422, invalid("body", "the body must be a JSON object"));
            return;
        }
        if ("respond-async".equals(req.headers().first(HeaderNames.create("Prefer")).orElse(null))) {
            json(res, 400, Json.object().put("detail", "hearth worker answers synchronously only; send the request without 'Prefer: respond-async'"));
            return;
        }
        String bodyId = body.path("id").isTextual() ? body.get("id").asText() : null;
        if (pathId != null && bodyId != null && !bodyId.equals(pathId)) {
            json(res, 422, invalid("id", "prediction ID must match the ID supplied in the URL"));
            return;
        }
        String id = pathId != null ? pathId : bodyId != null ? bodyId : UUID.randomUUID().toString().replace("-", "");
        if (runner == null) {
            json(res, 503, Json.object().put("detail", "the model is not ready: setup " + setupStatus));
            return;
        }
        Prediction same = running.get(id);
        if (same != null) {
            json(res, 200, same.answer.join());
            return;
        }
        JsonNode input = body.path("input");
        ObjectNode params;
        try {
            params = validator.validate(input.isObject() ? (ObjectNode) input : Json.object());
        } catch (ApiException e) {
            json(res, 422, invalid("input", e.getMessage()));
            return;
        }
        if (!slots.tryAcquire()) {
            json(res, 409, Json.object().put("detail", "Already running a prediction"));
            return;
        }
        Prediction mine = new Prediction();
        Prediction raced = running.putIfAbsent(id, mine);
        if (raced != null) {
            slots.release();
            json(res, 200, raced.answer.join());
            return;
        }
        Instant started = Instant.now();
        Long seed = spec.takesSeed() && params.has("seed") ? params.get("seed").asLong() : null;
        Future<RunOutput> task = runs.submit(() -> runner.run(new RunInput(id, params, seed)));
        mine.task = task;
        if (mine.canceled) task.cancel(true);
        ObjectNode result = Json.object().put("id", id);
        result.set("input", params);
        result.put("created_at", started.toString()).put("started_at", started.toString());
        int status = 200;
        try {
            RunOutput out = task.get();
            long nanos = java.time.Duration.between(started, Instant.now()).toNanos();
            result.put("status", "succeeded");
            result.set("output", output(out));
            ObjectNode metrics = result.putObject("metrics").put("predict_time", nanos / 1e9);
            if (out instanceof RunOutput.Json j && j.billableUnits() > 0) metrics.put("billable_units", j.billableUnits());
            result.putNull("error");
        } catch (CancellationException | InterruptedException e) {
            result.put("status", "canceled").putNull("output").putNull("error");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RunFailure rf) {
                status = 422;
                result = invalid("input", rf.getMessage());
            } else {
                log.warn("prediction {} failed: {}", id, cause.toString());
                result.put("status", "failed").putNull("output").put("error", String.valueOf(cause.getMessage()));
            }
        } finally {
            running.remove(id);
            slots.release();
        }
        result.put("completed_at", Instant.now().toString()).put("logs", "");
        mine.answer.complete(result);
        json(res, status, result);
    }

    private static JsonNode output(RunOutput out) {
        return switch (out) {
            case RunOutput.Json j -> j.body();
            case RunOutput.Media m -> Json.MAPPER.getNodeFactory().textNode(
                    "data:" + m.contentType() + ";base64," + Base64.getEncoder().encodeToString(m.bytes()));
        };
    }

    /** A 422 body the way Cog's pydantic validation writes it. */
    private static ObjectNode invalid(String field, String message) {
        ObjectNode b = Json.object();
        ObjectNode e = b.putArray("detail").addObject();
        e.putArray("loc").add("body").add(field);
        e.put("msg", message).put("type", "value_error");
        return b;
    }

    private static void json(ServerResponse res, int status, JsonNode body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(body));
    }

    @Override
    public void close() {
        if (server != null) server.stop();
        running.values().forEach(Prediction::cancel);
        runs.shutdownNow();
        Runner r = runner;
        runner = null;
        if (r != null) {
            try {
                r.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", spec.slug(), e.toString());
            }
        }
    }
}
