package dev.hearth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.runners.MediaBlob;

import java.util.Map;

/**
 * Fetches and checks a call's media inputs after validation (the storage package implements it): returns the
 * media keyed by field, or throws 422/413 naming the field, before anything is held.
 */
public interface MediaResolver {

    Map<String, MediaBlob> resolve(ModelSpec model, ObjectNode params, String base);

    /** The parameters as they may be stored or logged: media replaced by a description, never the bytes. */
    ObjectNode redact(ModelSpec model, ObjectNode params, Map<String, MediaBlob> media);

    MediaResolver NONE = new MediaResolver() {
        @Override
        public Map<String, MediaBlob> resolve(ModelSpec model, ObjectNode params, String base) {
            return Map.of();
        }

        @Override
        public ObjectNode redact(ModelSpec model, ObjectNode params, Map<String, MediaBlob> media) {
            return params;
        }
    };
}
