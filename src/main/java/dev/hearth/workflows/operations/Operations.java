package dev.hearth.workflows.operations;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in operations by name (SPEC §10), as the graph validator, the engine and the editor's palette see
 * them. The set is fixed in code: operations are part of Hearth, not configuration, and are priced at zero.
 */
public final class Operations {

    private static final Operations BUILT_IN = new Operations(List.of(
            new TextTemplate(),
            new TextConcat(),
            new JsonPick(),
            new CosineSimilarity(),
            new ImageResize(ImageValues.DEFAULT_MAX_PIXELS),
            new ImageCrop(ImageValues.DEFAULT_MAX_PIXELS),
            new ImageConvert(ImageValues.DEFAULT_MAX_PIXELS),
            new ImageComposite(ImageValues.DEFAULT_MAX_PIXELS)));

    private final Map<String, Operation> byName = new LinkedHashMap<>();

    Operations(List<Operation> operations) {
        for (Operation op : operations) {
            if (byName.putIfAbsent(op.name(), op) != null) throw new IllegalArgumentException("two operations named " + op.name());
        }
    }

    /** Every built-in operation; one shared instance (operations are stateless). */
    public static Operations builtIn() {
        return BUILT_IN;
    }

    public Optional<Operation> find(String name) {
        return Optional.ofNullable(name == null ? null : byName.get(name));
    }

    /** All operations in a stable order: text, JSON, vectors, then images (the editor's palette order). */
    public List<Operation> all() {
        return List.copyOf(byName.values());
    }
}
