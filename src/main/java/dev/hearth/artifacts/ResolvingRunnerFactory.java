package dev.hearth.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.io.IOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Puts the artifact cache in front of a runner type: before the boot, every runner parameter whose value is an
 * artifact source ({@code maven:}, {@code npm:}, {@code deb:}, {@code https:}, {@code file:}), or a list of them, is
 * replaced by the path of the local file, fetching it first if needed, so the runner itself only ever reads files. The fetch is part of the
 * cold boot and its progress is the boot's progress. Other values ({@code classpath:}, numbers...) pass through.
 */
public final class ResolvingRunnerFactory implements RunnerFactory {

    private final RunnerFactory delegate;
    private final ArtifactCache cache;

    public ResolvingRunnerFactory(RunnerFactory delegate, ArtifactCache cache) {
        this.delegate = delegate;
        this.cache = cache;
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        String unavailable = delegate.unavailableHere();
        if (unavailable != null) throw new IllegalStateException(unavailable);
        return delegate.boot(resolve(cache, spec, progress), progress);
    }

    /** The spec with artifact sources replaced by local paths (what {@code hearth models pull} also runs). */
    public static RunnerSpec resolve(ArtifactCache cache, RunnerSpec spec, BootProgress progress) throws IOException {
        ObjectNode params = spec.params().deepCopy();
        // Several parameters often name files of one archive: say "using cached ..." once, not once per file.
        Set<String> said = new HashSet<>();
        BootProgress once = step -> {
            if (said.add(step)) progress.step(step);
        };
        for (Iterator<Map.Entry<String, JsonNode>> it = spec.params().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            try {
                if (v.isTextual() && ArtifactSource.isSource(v.textValue())) {
                    params.put(e.getKey(), cache.resolve(v.textValue(), once).toString());
                } else if (v.isArray()) {
                    // a list of files (shared libraries in load order): each source resolved, the order kept
                    var list = params.putArray(e.getKey());
                    for (JsonNode item : v) {
                        list.add(item.isTextual() && ArtifactSource.isSource(item.textValue()) ? Json.MAPPER.getNodeFactory().textNode(cache.resolve(item.textValue(), once).toString()) : item);
                    }
                }
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("runner parameter '" + e.getKey() + "': " + bad.getMessage(), bad);
            }
        }
        return new RunnerSpec(spec.type(), params);
    }
}
