package dev.hearth.workflows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.workflows.operations.Operation;
import dev.hearth.workflows.operations.OperationFailure;
import dev.hearth.workflows.operations.Operations;
import dev.hearth.workflows.operations.Port;
import dev.hearth.workflows.operations.Value;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bounds on what workflow operations make and how long they take (issue: free amplification by operations). */
class OperationBoundsTest {

    static final OperationBounds BOUNDS = new OperationBounds(1_000, 3_000, Duration.ofMillis(300));
    static final Operation CONCAT = Operations.builtIn().find("text_concat").orElseThrow();

    @Test
    void aValueOverTheBoundFailsNamingTheSetting() {
        Value half = new Value.Text("x".repeat(600));
        assertThatThrownBy(() -> BOUNDS.run(CONCAT, Map.of("a", half, "b", half), Json.object()))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("1200 bytes").hasMessageContaining("workflows.max_operation_value_bytes");
    }

    @Test
    void aValueWithinTheBoundPasses() throws Exception {
        Value small = new Value.Text("x".repeat(400));
        assertThat(BOUNDS.run(CONCAT, Map.of("a", small, "b", small), Json.object()).get("text")).isEqualTo(new Value.Text("x".repeat(800)));
    }

    @Test
    void aRunsOperationsTogetherAreBounded() throws Exception {
        OperationBounds.RunTally tally = BOUNDS.tally();
        Map<String, Value> nineHundred = Map.of("text", new Value.Text("y".repeat(900)));
        tally.add(nineHundred);
        tally.add(nineHundred);
        tally.add(nineHundred);
        assertThatThrownBy(() -> tally.add(nineHundred)).hasMessageContaining("3600 bytes").hasMessageContaining("workflows.max_run_output_bytes");
    }

    @Test
    void anOperationPastItsTimeLimitFails() {
        java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
        Operation slow = new Operation() {
            public String name() { return "slow"; }
            public String title() { return "slow"; }
            public List<Port> inputs() { return List.of(); }
            public List<Port> outputs() { return List.of(); }
            public ObjectNode paramsSchema() { return Json.object().put("type", "object"); }
            public Map<String, Value> run(Map<String, Value> inputs, ObjectNode params) {
                while (!release.get()) { // ignores interruption, as a runaway loop would
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ignored) {
                        // keeps going
                    }
                }
                return Map.of();
            }
        };
        assertThatThrownBy(() -> BOUNDS.run(slow, Map.of(), Json.object()))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("did not finish within 300 ms").hasMessageContaining("operation_timeout");
        release.set(true);
    }

    @Test
    void fixedParametersOverTheBoundAreRefusedAtSave() throws Exception {
        WorkflowGraph g = WorkflowGraph.parse(Json.MAPPER.readTree("""
                {"nodes": [
                  {"id": "in", "type": "input", "name": "in", "params": {"type": "text"}},
                  {"id": "join", "type": "operation", "operation": "text_concat", "params": {"separator": "%s"}},
                  {"id": "out", "type": "output", "name": "out"}],
                 "edges": [{"from": "in.value", "to": "join.a"}, {"from": "in.value", "to": "join.b"}, {"from": "join.text", "to": "out.value"}]}
                """.formatted("s".repeat(2_000))));
        assertThatThrownBy(() -> BOUNDS.checkAtSave(g)).hasMessageContaining("node 'join'").hasMessageContaining("workflows.max_operation_value_bytes");
    }
}
