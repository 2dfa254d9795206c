package dev.hearth.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;

/**
 * The gateway parses bodies with Jackson 2; the schema library (networknt 3.x) reads Jackson 3 trees. This
 * copies one tree into the other node by node, so a body is validated as parsed: no writing it out as text and
 * parsing that again on every call. Numbers keep their exact kind (int, long, big integer, double, decimal).
 */
final class SchemaTrees {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SchemaTrees() {
    }

    static tools.jackson.databind.JsonNode of(JsonNode n) {
        return switch (n.getNodeType()) {
            case OBJECT -> {
                ObjectNode o = NODES.objectNode();
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    o.set(e.getKey(), of(e.getValue()));
                }
                yield o;
            }
            case ARRAY -> {
                ArrayNode a = NODES.arrayNode(n.size());
                for (JsonNode item : n) a.add(of(item));
                yield a;
            }
            case STRING -> NODES.stringNode(n.textValue());
            case BOOLEAN -> NODES.booleanNode(n.booleanValue());
            case NUMBER -> switch (n.numberType()) {
                case INT -> NODES.numberNode(n.intValue());
                case LONG -> NODES.numberNode(n.longValue());
                case BIG_INTEGER -> NODES.numberNode(n.bigIntegerValue());
                case FLOAT -> NODES.numberNode(n.floatValue());
                case DOUBLE -> NODES.numberNode(n.doubleValue());
                case BIG_DECIMAL -> NODES.numberNode(n.decimalValue());
            };
            case BINARY -> NODES.stringNode(n.asText());
            case NULL, MISSING, POJO -> NODES.nullNode();
        };
    }
}
