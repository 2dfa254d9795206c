package dev.hearth.workflows.operations;

/**
 * A named input or output of a node. A required input port must be wired (or, for model nodes, given as a
 * fixed parameter) before a graph may be saved.
 */
public record Port(String name, PortType type, boolean required) {

    public static Port required(String name, PortType type) {
        return new Port(name, type, true);
    }

    public static Port optional(String name, PortType type) {
        return new Port(name, type, false);
    }
}
