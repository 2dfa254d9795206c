package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A value travelling along an edge of a running workflow: what one node produced on an output port and the
 * next node receives on an input port. Media values carry their bytes and sniffed content type.
 */
public sealed interface Value {

    PortType type();

    record Text(String text) implements Value {
        public PortType type() {
            return PortType.TEXT;
        }
    }

    record Number(double value) implements Value {
        public PortType type() {
            return PortType.NUMBER;
        }
    }

    record Vector(double[] values) implements Value {
        public PortType type() {
            return PortType.VECTOR;
        }
    }

    record Json(JsonNode node) implements Value {
        public PortType type() {
            return PortType.JSON;
        }
    }

    /** An image or audio clip; {@code type} says which. */
    record Media(PortType type, byte[] bytes, String contentType) implements Value {
    }
}
