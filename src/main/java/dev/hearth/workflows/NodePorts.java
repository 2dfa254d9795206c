package dev.hearth.workflows;

import dev.hearth.workflows.operations.Port;

import java.util.List;

/** The input and output ports of one node, whatever its kind: what edges may join and the palette shows. */
public record NodePorts(List<Port> inputs, List<Port> outputs) {

    public Port input(String name) {
        for (Port p : inputs) if (p.name().equals(name)) return p;
        return null;
    }

    public Port output(String name) {
        for (Port p : outputs) if (p.name().equals(name)) return p;
        return null;
    }
}
