package dev.hearth.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A workflow's graph as saved (SPEC §10): nodes and the edges from an output port to an input port. Parsing
 * checks only the shape of the JSON; what the nodes mean (slugs, ports, types, cycles) is {@link GraphValidator}'s.
 */
public record WorkflowGraph(List<Node> nodes, List<Edge> edges) {

    /**
     * The most nodes and edges a graph may have. Far above what a canvas holds, and low enough that checking a
     * graph (which compares edges with nodes) stays well under a second; a 100 000-node graph is refused here
     * before anything looks at its nodes.
     */
    public static final int MAX_NODES = 500;
    public static final int MAX_EDGES = 2_000;

    /** Node ids are short identifiers, so {@code "<node id>.<port>"} splits without doubt. */
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

    public enum Kind {
        INPUT, MODEL, OPERATION, OUTPUT;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code model} is set for model nodes, {@code operation} for operation nodes; {@code params} never null. */
    public record Node(String id, Kind kind, String name, String model, String operation, ObjectNode params) {
    }

    public record Edge(String fromNode, String fromPort, String toNode, String toPort) {
        public String from() {
            return fromNode + "." + fromPort;
        }

        public String to() {
            return toNode + "." + toPort;
        }
    }

    public Node node(String id) {
        for (Node n : nodes) if (n.id.equals(id)) return n;
        return null;
    }

    public List<Node> ofKind(Kind kind) {
        return nodes.stream().filter(n -> n.kind == kind).toList();
    }

    /** Parses graph JSON; 422 naming the node or edge whose shape is wrong. */
    public static WorkflowGraph parse(JsonNode json) {
        if (json == null || !json.isObject()) throw ApiException.invalid("graph: must be an object with \"nodes\" and \"edges\"");
        JsonNode nodesJson = json.path("nodes");
        if (!nodesJson.isArray() || nodesJson.isEmpty()) throw ApiException.invalid("graph.nodes: must be a non-empty array");
        JsonNode edgesJson = json.path("edges");
        if (!edgesJson.isMissingNode() && !edgesJson.isNull() && !edgesJson.isArray()) throw ApiException.invalid("graph.edges: must be an array");
        if (nodesJson.size() > MAX_NODES) throw ApiException.invalid("graph.nodes: at most " + MAX_NODES + " nodes, not " + nodesJson.size());
        if (edgesJson.size() > MAX_EDGES) throw ApiException.invalid("graph.edges: at most " + MAX_EDGES + " edges, not " + edgesJson.size());
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < nodesJson.size(); i++) nodes.add(node(nodesJson.get(i), i));
        List<Edge> edges = new ArrayList<>();
        if (edgesJson.isArray()) for (int i = 0; i < edgesJson.size(); i++) edges.add(edge(edgesJson.get(i), i));
        return new WorkflowGraph(List.copyOf(nodes), List.copyOf(edges));
    }

    private static Node node(JsonNode n, int i) {
        String where = "graph.nodes[" + i + "]";
        if (!n.isObject()) throw ApiException.invalid(where + ": must be an object");
        String id = n.path("id").asText("");
        if (!ID.matcher(id).matches()) {
            throw ApiException.invalid(where + ": \"id\" must start with a letter and hold only letters, digits and '_' (at most 64), not '" + id + "'");
        }
        where = "node '" + id + "'";
        Kind kind;
        try {
            kind = Kind.valueOf(n.path("type").asText("").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(where + ": \"type\" must be input, model, operation or output");
        }
        JsonNode params = n.path("params");
        if (!params.isMissingNode() && !params.isNull() && !params.isObject()) throw ApiException.invalid(where + ": \"params\" must be an object");
        String name = n.path("name").isTextual() ? n.path("name").asText() : null;
        if ((kind == Kind.INPUT || kind == Kind.OUTPUT) && (name == null || name.isBlank() || name.length() > 100)) {
            throw ApiException.invalid(where + ": an " + kind.wire() + " node needs a \"name\" (1 to 100 characters)");
        }
        String model = kind == Kind.MODEL ? text(n, "model", where) : null;
        String operation = kind == Kind.OPERATION ? text(n, "operation", where) : null;
        return new Node(id, kind, name, model, operation, params.isObject() ? ((ObjectNode) params).deepCopy() : Json.object());
    }

    private static String text(JsonNode n, String field, String where) {
        if (!n.path(field).isTextual() || n.path(field).asText().isBlank()) throw ApiException.invalid(where + ": \"" + field + "\" is required");
        return n.path(field).asText();
    }

    private static Edge edge(JsonNode e, int i) {
        String where = "graph.edges[" + i + "]";
        if (!e.isObject()) throw ApiException.invalid(where + ": must be an object with \"from\" and \"to\"");
        String[] from = endpoint(e.path("from"), where + ".from");
        String[] to = endpoint(e.path("to"), where + ".to");
        return new Edge(from[0], from[1], to[0], to[1]);
    }

    private static String[] endpoint(JsonNode v, String where) {
        String s = v.asText("");
        int dot = s.indexOf('.');
        if (!v.isTextual() || dot <= 0 || dot == s.length() - 1) throw ApiException.invalid(where + ": must be \"<node id>.<port>\", not '" + s + "'");
        return new String[]{s.substring(0, dot), s.substring(dot + 1)};
    }

    /** The graph as JSON again, in the SPEC §10 shape. */
    public ObjectNode toJson() {
        ObjectNode out = Json.object();
        ArrayNode ns = out.putArray("nodes");
        for (Node n : nodes) {
            ObjectNode o = ns.addObject().put("id", n.id).put("type", n.kind.wire());
            if (n.name != null) o.put("name", n.name);
            if (n.model != null) o.put("model", n.model);
            if (n.operation != null) o.put("operation", n.operation);
            o.set("params", n.params.deepCopy());
        }
        ArrayNode es = out.putArray("edges");
        for (Edge e : edges) es.addObject().put("from", e.from()).put("to", e.to());
        return out;
    }
}
