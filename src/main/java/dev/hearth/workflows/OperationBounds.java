package dev.hearth.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.workflows.WorkflowGraph.Kind;
import dev.hearth.workflows.WorkflowGraph.Node;
import dev.hearth.workflows.operations.Operation;
import dev.hearth.workflows.operations.OperationFailure;
import dev.hearth.workflows.operations.Value;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What operations may make (SPEC §10). Operations are free, so without bounds a graph of chained
 * {@code text_concat} nodes grows its text 4× per node at nobody's cost. Each value an operation makes is at most
 * {@code max_operation_value_bytes}, everything the operations of one run make together at most
 * {@code max_run_output_bytes}, and each operation gets {@code operation_timeout} to finish. Where a graph's fixed
 * parameters alone pass a bound it is refused when saved (422 naming the setting); otherwise the run fails naming it.
 */
public record OperationBounds(long maxValueBytes, long maxRunBytes, Duration timeLimit) {

    public static final OperationBounds DEFAULTS = new OperationBounds(1L << 20, 10L << 20, Duration.ofSeconds(5));

    /** The {@code workflows:} configuration section. */
    public static OperationBounds from(JsonNode section) {
        OperationBounds b = new OperationBounds(
                section.path("max_operation_value_bytes").asLong(DEFAULTS.maxValueBytes),
                section.path("max_run_output_bytes").asLong(DEFAULTS.maxRunBytes),
                Duration.ofMillis((long) (section.path("operation_timeout_seconds").asDouble(5) * 1000)));
        if (b.maxValueBytes <= 0 || b.maxRunBytes <= 0 || b.timeLimit.toMillis() <= 0) {
            throw new IllegalArgumentException("workflows: max_operation_value_bytes, max_run_output_bytes and operation_timeout_seconds must be positive");
        }
        return b;
    }

    /** At save: an operation node whose fixed parameters alone are over the value bound cannot make a value within it. */
    void checkAtSave(WorkflowGraph graph) {
        long total = 0;
        for (Node n : graph.nodes()) {
            if (n.kind() != Kind.OPERATION) continue;
            long fixed = Json.bytes(n.params()).length;
            if (fixed > maxValueBytes) {
                throw ApiException.invalid("node '" + n.id() + "': its fixed parameters are " + fixed + " bytes, more than an operation may make ("
                        + maxValueBytes + " bytes, workflows.max_operation_value_bytes)");
            }
            total += fixed;
        }
        if (total > maxRunBytes) {
            throw ApiException.invalid("graph: its operations' fixed parameters are " + total + " bytes, more than one run's operations may make ("
                    + maxRunBytes + " bytes, workflows.max_run_output_bytes)");
        }
    }

    /** Runs {@code op} within the time bound and checks each value it made against the value bound. */
    Map<String, Value> run(Operation op, Map<String, Value> inputs, ObjectNode params) throws OperationFailure, InterruptedException {
        FutureTask<Map<String, Value>> task = new FutureTask<>(() -> op.run(inputs, params));
        Thread worker = Thread.ofVirtual().name("hearth-operation-" + op.name()).start(task);
        Map<String, Value> out;
        try {
            out = task.get(timeLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            worker.interrupt();
            throw new OperationFailure(op.name() + " did not finish within " + timeLimit.toMillis() + " ms (workflows.operation_timeout_seconds)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OperationFailure f) throw f;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new OperationFailure(op.name() + " failed: " + e.getCause(), e.getCause());
        }
        for (Map.Entry<String, Value> v : out.entrySet()) {
            long size = size(v.getValue());
            if (size > maxValueBytes) {
                throw new OperationFailure("the value on port '" + v.getKey() + "' would be " + size + " bytes, more than an operation may make ("
                        + maxValueBytes + " bytes, workflows.max_operation_value_bytes)");
            }
        }
        return out;
    }

    /** A per-run tally of what its operations made; {@link #add} fails once the run's bound is passed. */
    final class RunTally {
        private final AtomicLong made = new AtomicLong();

        void add(Map<String, Value> values) throws OperationFailure {
            long sum = 0;
            for (Value v : values.values()) sum += size(v);
            long now = made.addAndGet(sum);
            if (now > maxRunBytes) {
                throw new OperationFailure("this run's operations made " + now + " bytes, more than one run may make ("
                        + maxRunBytes + " bytes, workflows.max_run_output_bytes)");
            }
        }
    }

    RunTally tally() {
        return new RunTally();
    }

    /** The bytes a value takes when stored: UTF-8 text, media bytes, JSON text, 8 bytes a number. */
    static long size(Value v) {
        return switch (v) {
            case Value.Text t -> t.text().getBytes(StandardCharsets.UTF_8).length;
            case Value.Media m -> m.bytes().length;
            case Value.Json j -> Json.bytes(j.node()).length;
            case Value.Number n -> 8;
            case Value.Vector vec -> 8L * vec.values().length;
        };
    }
}
