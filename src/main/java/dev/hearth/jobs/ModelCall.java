package dev.hearth.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;

/** A request to run a model, whatever surface it came from (v1, OpenAI-compatible, later v2 and workflows). */
public record ModelCall(Principal caller, String slug, ObjectNode body) {
}
