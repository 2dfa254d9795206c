package dev.hearth.workflows.operations;

import java.util.Locale;

/**
 * The type of a port in a workflow graph. An edge may only join ports of the same type, except that any
 * port may feed a {@code json} port (it receives the value as JSON). On the wire (graph JSON, the editor's
 * palette) a type is its lower-case name.
 */
public enum PortType {
    TEXT, NUMBER, IMAGE, AUDIO, VECTOR, JSON;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type of a wire name, or null when there is none. */
    public static PortType fromWire(String name) {
        for (PortType t : values()) if (t.wire().equals(name)) return t;
        return null;
    }

    /** Whether an output port of this type may be wired to an input port of type {@code to}. */
    public boolean feeds(PortType to) {
        return this == to || to == JSON;
    }
}
