package dev.hearth.workflows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.Catalog;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.workflows.GraphValidator.Checked;
import dev.hearth.workflows.WorkflowGraph.Node;
import dev.hearth.workflows.operations.Operation;
import dev.hearth.workflows.operations.Operations;
import dev.hearth.workflows.operations.Port;
import dev.hearth.workflows.operations.PortType;
import dev.hearth.workflows.operations.Value;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a save accepts and refuses, against the built-in catalog and operations plus one test-only operation. */
class GraphValidatorTest {

    static GraphValidator validator;

    /** Takes an image, gives its width: lets a graph feed media into an operation without the image operations. */
    static final Operation WIDTH = new Operation() {
        public String name() {
            return "test_width";
        }

        public String title() {
            return "Width (test only)";
        }

        public List<Port> inputs() {
            return List.of(Port.required("image", PortType.IMAGE), Port.optional("extra", PortType.TEXT));
        }

        public List<Port> outputs() {
            return List.of(Port.required("width", PortType.NUMBER));
        }

        public ObjectNode paramsSchema() {
            ObjectNode s = Json.object().put("type", "object").put("additionalProperties", false);
            s.putObject("properties").putObject("factor").put("type", "number").put("minimum", 1);
            return s;
        }

        public Map<String, Value> run(Map<String, Value> inputs, ObjectNode params) {
            return Map.of("width", new Value.Number(1));
        }
    };

    @BeforeAll
    static void setUp() throws Exception {
        Path dir = Files.createTempDirectory("wf-catalog");
        Catalog catalog = Catalog.load(dir.toString());
        Operations builtIn = Operations.builtIn();
        validator = new GraphValidator(catalog, name -> name.equals(WIDTH.name()) ? WIDTH : builtIn.find(name).orElse(null));
    }

    static Checked check(String json) throws Exception {
        return validator.check(WorkflowGraph.parse(Json.MAPPER.readTree(json)));
    }

    static void refused(String json, String... messageParts) {
        assertThatThrownBy(() -> check(json)).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(422))
                .hasMessageContainingAll(messageParts);
    }

    @Test
    void theTemplatesPassWithTheirPortsTypedAndInputsBeforeTheNodesThatReadThem() throws Exception {
        Checked embed = check(Templates.EMBED_AND_COMPARE_GRAPH);
        List<String> order = embed.order().stream().map(Node::id).toList();
        assertThat(order.indexOf("embed_a")).isGreaterThan(order.indexOf("text_a"));
        assertThat(order.indexOf("compare")).isGreaterThan(order.indexOf("embed_a")).isGreaterThan(order.indexOf("embed_b"));
        assertThat(order.getLast()).isEqualTo("similarity");
        assertThat(embed.inputs()).containsExactly(new Port("text_a", PortType.TEXT, false), new Port("text_b", PortType.TEXT, false));
        assertThat(embed.outputs()).containsExactly(Port.required("similarity", PortType.NUMBER));

        Checked ocr = check(Templates.UPSCALE_THEN_OCR_GRAPH);
        assertThat(ocr.ports("upscale").output("image").type()).isEqualTo(PortType.IMAGE);
        assertThat(ocr.ports("read").output("text").type()).isEqualTo(PortType.TEXT);
        assertThat(ocr.inputs()).containsExactly(Port.required("image", PortType.IMAGE));
        assertThat(ocr.outputs()).containsExactly(Port.required("text", PortType.TEXT));

        // text → speech (an audio port) → speech-to-text's audio input → its text convenience port
        Checked roundTrip = check(Templates.SPEAK_THEN_TRANSCRIBE_GRAPH);
        assertThat(roundTrip.ports("speak").output("audio").type()).isEqualTo(PortType.AUDIO);
        assertThat(roundTrip.ports("transcribe").input("audio")).isEqualTo(Port.required("audio", PortType.AUDIO));
        assertThat(roundTrip.ports("transcribe").outputs()).containsExactly(Port.required("output", PortType.JSON), Port.required("text", PortType.TEXT));
        assertThat(roundTrip.inputs()).containsExactly(new Port("text", PortType.TEXT, false));
        assertThat(roundTrip.outputs()).containsExactly(Port.required("transcript", PortType.TEXT));
    }

    @Test
    void modelPortsComeFromTheCatalogEntry() throws Exception {
        Checked ocr = check(Templates.UPSCALE_THEN_OCR_GRAPH);
        NodePorts esrgan = ocr.ports("upscale");
        assertThat(esrgan.input("image")).isEqualTo(Port.required("image", PortType.IMAGE));
        assertThat(esrgan.input("quality").type()).isEqualTo(PortType.NUMBER);
        assertThat(esrgan.input("output_format").type()).isEqualTo(PortType.TEXT);
        assertThat(esrgan.input("scale").type()).isEqualTo(PortType.JSON);
        assertThat(esrgan.outputs()).containsExactly(Port.required("image", PortType.IMAGE));
        NodePorts bge = check(Templates.EMBED_AND_COMPARE_GRAPH).ports("embed_a");
        assertThat(bge.outputs()).containsExactly(Port.required("output", PortType.JSON), Port.required("embedding", PortType.VECTOR));
    }

    @Test
    void aCycleIsRefusedNamingANodeOnIt() {
        refused("""
                {"nodes": [
                  {"id": "t", "type": "input", "name": "t", "params": {"type": "text"}},
                  {"id": "a", "type": "operation", "operation": "text_concat", "params": {}},
                  {"id": "b", "type": "operation", "operation": "text_concat", "params": {}},
                  {"id": "after", "type": "operation", "operation": "text_concat", "params": {}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [
                  {"from": "after.text", "to": "o.value"},
                  {"from": "b.text", "to": "after.a"}, {"from": "t.value", "to": "after.b"},
                  {"from": "t.value", "to": "a.a"}, {"from": "b.text", "to": "a.b"},
                  {"from": "a.text", "to": "b.a"}, {"from": "t.value", "to": "b.b"}
                ]}
                """, "is on a cycle (b → a → b)");
    }

    @Test
    void edgesMustJoinExistingPortsOfTypesThatFeedEachOther() {
        String base = """
                {"nodes": [
                  {"id": "n", "type": "input", "name": "n", "params": {"type": "%s"}},
                  {"id": "w", "type": "operation", "operation": "test_width", "params": {}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [{"from": "n.%s", "to": "w.%s"}, {"from": "w.width", "to": "o.value"}]}
                """;
        refused(base.formatted("text", "value", "image"), "node 'w'", "'image' takes image", "n.value gives text");
        refused(base.formatted("image", "value", "picture"), "node 'w'", "no input port 'picture'", "image, extra");
        refused(base.formatted("image", "out", "image"), "node 'n'", "no output port 'out'");
        refused(base.formatted("video", "value", "image"), "node 'n'", "params.type");
        refused(base.formatted("image", "value", "image").replace("\"id\": \"o\"", "\"id\": \"n\""), "node 'n'", "id is used by another node");
        refused(base.formatted("image", "value", "image").replace("test_width", "no_such_op"), "node 'w'", "unknown operation 'no_such_op'");
    }

    @Test
    void anyTypeFeedsAJsonPort() throws Exception {
        check("""
                {"nodes": [
                  {"id": "n", "type": "input", "name": "n", "params": {"type": "number"}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [{"from": "n.value", "to": "o.value"}]}
                """);
    }

    @Test
    void requiredInputsMustBeWiredOrOnAModelFixedAndFixedParamsMustPassTheSchema() {
        refused("""
                {"nodes": [
                  {"id": "w", "type": "operation", "operation": "test_width", "params": {}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [{"from": "w.width", "to": "o.value"}]}
                """, "node 'w'", "required input 'image' is not connected");
        refused("""
                {"nodes": [
                  {"id": "i", "type": "input", "name": "i", "params": {"type": "image"}},
                  {"id": "w", "type": "operation", "operation": "test_width", "params": {"factor": 0}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [{"from": "i.value", "to": "w.image"}, {"from": "w.width", "to": "o.value"}]}
                """, "node 'w'", "params", "factor");
        refused("""
                {"nodes": [
                  {"id": "up", "type": "model", "model": "esrgan", "params": {"image": "data:image/png;base64,AAAA", "colour": true}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [{"from": "up.image", "to": "o.value"}]}
                """, "node 'up'", "no parameter 'colour'");
        refused("""
                {"nodes": [
                  {"id": "i", "type": "input", "name": "i", "params": {"type": "image"}},
                  {"id": "up", "type": "model", "model": "esrgan", "params": {"image": "data:image/png;base64,AAAA"}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [{"from": "i.value", "to": "up.image"}, {"from": "up.image", "to": "o.value"}]}
                """, "node 'up'", "both wired and fixed");
    }

    @Test
    void aFixedRequiredModelInputNeedsNoWire() throws Exception {
        Checked c = check("""
                {"nodes": [
                  {"id": "up", "type": "model", "model": "esrgan", "params": {"image": "https://example.com/a.png", "scale": 4}},
                  {"id": "o", "type": "output", "name": "o"}
                ], "edges": [{"from": "up.image", "to": "o.value"}]}
                """);
        assertThat(c.outputs()).containsExactly(Port.required("o", PortType.IMAGE));
    }

    @Test
    void namesAreUniqueAndAGraphHasAnOutputAndAKnownModel() {
        refused("""
                {"nodes": [
                  {"id": "a", "type": "input", "name": "x", "params": {"type": "text"}},
                  {"id": "o", "type": "output", "name": "x"},
                  {"id": "p", "type": "output", "name": "x"}
                ], "edges": [{"from": "a.value", "to": "o.value"}, {"from": "a.value", "to": "p.value"}]}
                """, "node 'p'", "another output node");
        refused("""
                {"nodes": [{"id": "a", "type": "input", "name": "x", "params": {"type": "text"}}], "edges": []}
                """, "at least one output");
        refused("""
                {"nodes": [{"id": "m", "type": "model", "model": "nope", "params": {}}, {"id": "o", "type": "output", "name": "o"}],
                 "edges": [{"from": "m.output", "to": "o.value"}]}
                """, "node 'm'", "unknown model 'nope'");
        refused("""
                {"nodes": [{"id": "a", "type": "input", "name": "x", "params": {"type": "number", "default": "ten"}},
                  {"id": "o", "type": "output", "name": "o"}], "edges": [{"from": "a.value", "to": "o.value"}]}
                """, "node 'a'", "default must be a number");
        refused("""
                {"nodes": [{"id": "a-b", "type": "input", "name": "x", "params": {"type": "text"}}], "edges": []}
                """, "graph.nodes[0]", "must start with a letter");
        refused("""
                {"nodes": [{"id": "a", "type": "input", "name": "x", "params": {"type": "text"}}, {"id": "o", "type": "output", "name": "o"}],
                 "edges": [{"from": "a.value", "to": "o.value"}, {"from": "a.value", "to": "o.value"}]}
                """, "node 'o'", "wired more than once");
    }
}
