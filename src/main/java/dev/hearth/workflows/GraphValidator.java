package dev.hearth.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.InputValidator;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.workflows.WorkflowGraph.Edge;
import dev.hearth.workflows.WorkflowGraph.Kind;
import dev.hearth.workflows.WorkflowGraph.Node;
import dev.hearth.workflows.operations.Operation;
import dev.hearth.workflows.operations.Port;
import dev.hearth.workflows.operations.PortType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks a graph before it is saved, so a saved version can always run: every model and operation exists,
 * every edge joins an existing output port to an existing input port of a type it may feed, no cycle, every
 * required input is wired (or, on a model node, fixed in {@code params}), fixed parameters pass their schema,
 * node ids and input/output names are unique. Each refusal is a 422 naming the node (and port).
 */
public final class GraphValidator {

    public static final List<String> INPUT_TYPES = List.of("text", "image", "audio", "number");

    private final NodeModels models;
    private final Function<String, Operation> operations;
    private final OperationBounds bounds;

    public GraphValidator(Catalog catalog, Function<String, Operation> operations) {
        this(NodeModels.catalogOnly(catalog), operations, OperationBounds.DEFAULTS);
    }

    public GraphValidator(NodeModels models, Function<String, Operation> operations, OperationBounds bounds) {
        this.models = models;
        this.operations = operations;
        this.bounds = bounds;
    }

    /** A graph that passed: each node's ports, the nodes in an order where every node comes after its inputs. */
    public record Checked(WorkflowGraph graph, Map<String, NodePorts> ports, List<Node> order, List<Port> inputs, List<Port> outputs) {

        public NodePorts ports(String nodeId) {
            return ports.get(nodeId);
        }

        public List<Edge> edgesInto(String nodeId) {
            return graph.edges().stream().filter(e -> e.toNode().equals(nodeId)).toList();
        }
    }

    /** Checks a graph whose model nodes name catalog models only (the built-in templates). */
    public Checked check(WorkflowGraph graph) {
        return check(graph, null);
    }

    /** Checks a graph as {@code ownerId} saves it: its model nodes may also name the owner's dedicated endpoints. */
    public Checked check(WorkflowGraph graph, String ownerId) {
        Map<String, NodePorts> ports = new LinkedHashMap<>();
        Set<String> inputNames = new HashSet<>();
        Set<String> outputNames = new HashSet<>();
        for (Node n : graph.nodes()) {
            if (ports.containsKey(n.id())) throw invalid(n, "the id is used by another node");
            if (n.kind() == Kind.INPUT && !inputNames.add(n.name())) throw invalid(n, "another input node is also named '" + n.name() + "'");
            if (n.kind() == Kind.OUTPUT && !outputNames.add(n.name())) throw invalid(n, "another output node is also named '" + n.name() + "'");
            ports.put(n.id(), portsOf(n, ownerId));
        }
        if (outputNames.isEmpty()) throw ApiException.invalid("graph: needs at least one output node");

        Map<String, Edge> wired = new HashMap<>();
        for (Edge e : graph.edges()) {
            Node from = graph.node(e.fromNode());
            Node to = graph.node(e.toNode());
            if (from == null) throw ApiException.invalid("edge " + e.from() + " → " + e.to() + ": no node '" + e.fromNode() + "'");
            if (to == null) throw ApiException.invalid("edge " + e.from() + " → " + e.to() + ": no node '" + e.toNode() + "'");
            Port out = ports.get(from.id()).output(e.fromPort());
            if (out == null) throw invalid(from, "has no output port '" + e.fromPort() + "' (it has " + names(ports.get(from.id()).outputs()) + ")");
            Port in = ports.get(to.id()).input(e.toPort());
            if (in == null) throw invalid(to, "has no input port '" + e.toPort() + "' (it has " + names(ports.get(to.id()).inputs()) + ")");
            if (!out.type().feeds(in.type())) {
                throw invalid(to, "port '" + in.name() + "' takes " + in.type().wire() + ", but " + e.from() + " gives " + out.type().wire());
            }
            if (wired.putIfAbsent(e.to(), e) != null) throw invalid(to, "port '" + in.name() + "' is wired more than once");
            if (to.kind() == Kind.MODEL && to.params().has(in.name())) {
                throw invalid(to, "port '" + in.name() + "' is both wired and fixed in params; keep one");
            }
        }

        for (Node n : graph.nodes()) {
            for (Port p : ports.get(n.id()).inputs()) {
                boolean fixed = n.kind() == Kind.MODEL && n.params().has(p.name());
                if (p.required() && !fixed && !wired.containsKey(n.id() + "." + p.name())) {
                    throw invalid(n, "required input '" + p.name() + "' is not connected" + (n.kind() == Kind.MODEL ? " nor fixed in params" : ""));
                }
            }
            checkParams(n, ownerId);
        }
        List<Node> order = order(graph);
        List<Port> inputs = new ArrayList<>();
        List<Port> outputs = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (n.kind() == Kind.INPUT) inputs.add(new Port(n.name(), ports.get(n.id()).outputs().getFirst().type(), !n.params().has("default")));
            if (n.kind() == Kind.OUTPUT) {
                Edge e = wired.get(n.id() + ".value");
                outputs.add(Port.required(n.name(), ports.get(e.fromNode()).output(e.fromPort()).type()));
            }
        }
        bounds.checkAtSave(graph);
        return new Checked(graph, Map.copyOf(ports), order, List.copyOf(inputs), List.copyOf(outputs));
    }

    private NodePorts portsOf(Node n, String ownerId) {
        return switch (n.kind()) {
            case INPUT -> {
                String type = n.params().path("type").asText("");
                if (!INPUT_TYPES.contains(type)) throw invalid(n, "params.type must be one of " + INPUT_TYPES + ", not '" + type + "'");
                yield new NodePorts(List.of(), List.of(Port.required("value", PortType.fromWire(type))));
            }
            case OUTPUT -> new NodePorts(List.of(Port.required("value", PortType.JSON)), List.of());
            case MODEL -> {
                ModelSpec model = models.find(ownerId, n.model());
                if (model == null || model.retired()) throw invalid(n, "unknown model '" + n.model() + "'");
                yield ModelPorts.of(model);
            }
            case OPERATION -> {
                Operation op = operations.apply(n.operation());
                if (op == null) throw invalid(n, "unknown operation '" + n.operation() + "'");
                yield new NodePorts(op.inputs(), op.outputs());
            }
        };
    }

    private void checkParams(Node n, String ownerId) {
        switch (n.kind()) {
            case INPUT -> {
                JsonNode d = n.params().get("default");
                if (d == null || d.isNull()) return;
                String type = n.params().path("type").asText();
                boolean ok = type.equals("number") ? d.isNumber() : d.isTextual();
                if (!ok) throw invalid(n, "params.default must be a " + (type.equals("number") ? "number" : "string"));
            }
            case MODEL -> {
                // only the fixed parameters are checked here; wired ones are checked when the model is called
                ModelSpec model = models.find(ownerId, n.model());
                ObjectNode sub = Json.object().put("type", "object");
                ObjectNode props = sub.putObject("properties");
                n.params().fieldNames().forEachRemaining(name -> {
                    JsonNode p = model.inputSchema().path("properties").get(name);
                    if (p == null) throw invalid(n, "model '" + model.slug() + "' has no parameter '" + name + "'");
                    props.set(name, p);
                });
                validate(n, sub, n.params());
            }
            case OPERATION -> validate(n, operations.apply(n.operation()).paramsSchema(), n.params());
            case OUTPUT -> {
            }
        }
    }

    private static void validate(Node n, ObjectNode schema, ObjectNode params) {
        try {
            new InputValidator(schema).validate(params);
        } catch (ApiException e) {
            throw invalid(n, "params: " + e.getMessage());
        }
    }

    /** Kahn's algorithm; what is left over lies on a cycle, and those nodes are named. */
    private static List<Node> order(WorkflowGraph graph) {
        Map<String, Integer> indegree = new LinkedHashMap<>();
        for (Node n : graph.nodes()) indegree.put(n.id(), 0);
        for (Edge e : graph.edges()) indegree.merge(e.toNode(), 1, Integer::sum);
        Deque<String> ready = new ArrayDeque<>();
        indegree.forEach((id, d) -> {
            if (d == 0) ready.add(id);
        });
        List<Node> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String id = ready.poll();
            order.add(graph.node(id));
            for (Edge e : graph.edges()) {
                if (e.fromNode().equals(id) && indegree.merge(e.toNode(), -1, Integer::sum) == 0) ready.add(e.toNode());
            }
        }
        if (order.size() < graph.nodes().size()) {
            List<String> cycle = cycle(graph, indegree.entrySet().stream().filter(en -> en.getValue() > 0).map(Map.Entry::getKey).toList());
            throw ApiException.invalid("node '" + cycle.getFirst() + "': is on a cycle (" + String.join(" → ", cycle) + " → "
                    + cycle.getFirst() + "); a workflow must not loop");
        }
        return order;
    }

    /**
     * One cycle among the nodes Kahn's algorithm left: each of them still has an input from another left-over
     * node, so walking inputs backwards must come round to a node already seen; from there on is the cycle.
     */
    private static List<String> cycle(WorkflowGraph graph, List<String> left) {
        List<String> path = new ArrayList<>();
        String cur = left.getFirst();
        while (!path.contains(cur)) {
            path.add(cur);
            String at = cur;
            cur = graph.edges().stream().filter(e -> e.toNode().equals(at) && left.contains(e.fromNode())).findFirst().orElseThrow().fromNode();
        }
        List<String> cycle = new ArrayList<>(path.subList(path.indexOf(cur), path.size()));
        java.util.Collections.reverse(cycle);
        return cycle;
    }

    private static String names(List<Port> ports) {
        return ports.isEmpty() ? "none" : String.join(", ", ports.stream().map(Port::name).toList());
    }

    private static ApiException invalid(Node n, String why) {
        return ApiException.invalid("node '" + n.id() + "': " + why);
    }
}
