package dev.hearth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;

/**
 * A request to run a model, whatever surface it came from (v1, v2, OpenAI-compatible, workflows).
 * {@code base} is the origin Hearth's own asset URLs start with (media inputs under it are read from storage);
 * {@code fromForm} says the body came from a multipart form, so its text values are typed by the schema.
 */
public record ModelCall(Principal caller, String slug, ObjectNode body, String base, boolean fromForm) {

    public ModelCall(Principal caller, String slug, ObjectNode body, String base) {
        this(caller, slug, body, base, false);
    }
}
