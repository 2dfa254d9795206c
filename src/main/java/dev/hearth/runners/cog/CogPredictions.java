package dev.hearth.runners.cog;

import dev.hearth.net.Outbound;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one job on one of several Cog servers. Servers are tried round-robin; a server that answers 409
 * (every prediction slot taken) or 503 (still starting) is skipped, and when all are busy the job waits a
 * little and tries again, until a slot frees or the gateway's execution timeout interrupts it. A connection
 * that breaks during a prediction is retried with the same id — safe, because {@code PUT /predictions/{id}}
 * never starts a second prediction while the first runs — unless the server is gone.
 */
public final class CogPredictions {

    /** How a server took one attempt. */
    sealed interface Attempt {
        record Busy() implements Attempt {
        }

        /** A prediction with this id already runs there (an earlier attempt whose connection broke). */
        record AlreadyRunning() implements Attempt {
        }

        record Done(RunOutput output) implements Attempt {
        }
    }

    /** The servers to try now; a runner that manages processes may change them between attempts. */
    public interface Servers {
        List<CogClient> ready() throws IOException;

        /** Called when every server was busy: a runner may start another instance. */
        default void allBusy() {
        }

        /** True when the server behind a broken connection is known to be gone (its process exited). */
        default boolean gone(CogClient c) {
            return false;
        }

        /** A prediction is about to be sent to {@code c} ({@code true}) or has come back ({@code false}). */
        default void using(CogClient c, boolean starting) {
        }
    }

    private static final int BROKEN_CONNECTION_RETRIES = 2;

    private final CogOutputs outputs;
    private final String catalogOutput;
    private final java.util.Map<String, String> rename;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * {@code rename} maps the catalog's parameter names to the worker's (Segmind's {@code img_width} to a Cog
     * model's {@code width}...); Hearth's own {@code base64} response flag never goes to the worker.
     */
    public CogPredictions(CogOutputs outputs, String catalogOutput, java.util.Map<String, String> rename) {
        this.outputs = outputs;
        this.catalogOutput = catalogOutput;
        this.rename = java.util.Map.copyOf(rename);
    }

    public CogPredictions(CogOutputs outputs, String catalogOutput) {
        this(outputs, catalogOutput, java.util.Map.of());
    }

    /** The parameters as the worker names them. */
    com.fasterxml.jackson.databind.node.ObjectNode workerInput(com.fasterxml.jackson.databind.node.ObjectNode params) {
        com.fasterxml.jackson.databind.node.ObjectNode input = dev.hearth.http.Json.object();
        params.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("base64")) input.set(rename.getOrDefault(e.getKey(), e.getKey()), e.getValue());
        });
        return input;
    }

    public RunOutput run(RunInput in, Servers servers) throws Exception {
        long backoff = 10;
        while (true) {
            List<CogClient> ready = servers.ready();
            if (ready.isEmpty()) throw new IOException("no worker of this model is reachable");
            int start = Math.floorMod(next.getAndIncrement(), ready.size());
            int unreachable = 0;
            for (int k = 0; k < ready.size(); k++) {
                CogClient c = ready.get((start + k) % ready.size());
                Attempt a;
                servers.using(c, true);
                try {
                    a = onServer(c, in, servers);
                } catch (Outbound.Unreachable e) {
                    unreachable++;
                    continue;
                } finally {
                    servers.using(c, false);
                }
                if (a instanceof Attempt.Done d) return d.output();
            }
            if (unreachable == ready.size()) {
                throw new IOException("no worker of this model answers (" + String.join(", ", ready.stream().map(CogClient::url).toList()) + ")");
            }
            servers.allBusy();
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, 250);
        }
    }

    /** One server: the prediction's result, Busy, or a failure. Waits out a prediction already running there. */
    private Attempt onServer(CogClient c, RunInput in, Servers servers) throws Exception {
        int broken = 0;
        while (true) {
            CogClient.Reply r;
            try {
                r = c.predict(in.requestId(), workerInput(in.params()));
            } catch (InterruptedException e) {
                // timed out or canceled: stop the prediction too, not only our wait for it
                c.cancel(in.requestId());
                throw e;
            } catch (Outbound.Unreachable e) {
                if (broken == 0) throw e;
                throw new IOException("the worker at " + c.url() + " went away during the prediction: " + e.getMessage(), e);
            } catch (IOException e) {
                if (servers.gone(c)) throw new IOException("the worker at " + c.url() + " exited during the prediction", e);
                if (++broken > BROKEN_CONNECTION_RETRIES) {
                    throw new IOException("the connection to the worker at " + c.url() + " broke during the prediction: " + e.getMessage(), e);
                }
                continue;
            }
            Attempt a = interpret(c, r);
            if (!(a instanceof Attempt.AlreadyRunning)) return a;
            Thread.sleep(200);
        }
    }

    private Attempt interpret(CogClient c, CogClient.Reply r) throws Exception {
        switch (r.status()) {
            case 409, 503 -> {
                return new Attempt.Busy();
            }
            case 202 -> {
                return new Attempt.AlreadyRunning();
            }
            case 200, 201 -> {
                if (r.body() == null) throw new IOException("the worker at " + c.url() + " answered something that is not JSON");
                String status = r.body().path("status").asText("");
                return switch (status) {
                    case "succeeded" -> new Attempt.Done(outputs.convert(r.body(), catalogOutput));
                    case "failed" -> throw new IOException("the model failed on its worker: " + CogOutputs.detail(r.body(), r.text()));
                    case "canceled" -> throw new CancellationException("the worker canceled the prediction");
                    case "starting", "processing" -> new Attempt.AlreadyRunning();
                    default -> throw new IOException("the worker at " + c.url() + " answered an unknown prediction status '" + status + "'");
                };
            }
            case 422 -> throw new RunFailure("The model refused the input: " + CogOutputs.detail(r.body(), r.text()));
            default -> throw new IOException("the worker at " + c.url() + " answered HTTP " + r.status() + ": " + CogOutputs.detail(r.body(), r.text()));
        }
    }
}
