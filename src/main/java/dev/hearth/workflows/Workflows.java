package dev.hearth.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.workflows.GraphValidator.Checked;
import dev.hearth.workflows.WorkflowStore.WorkflowRecord;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Saving, publishing and reading workflows (SPEC §10). Every save is checked by {@link GraphValidator} and
 * becomes a new immutable version; only a published version can be called. The owner sees and changes their
 * workflows; others see a workflow only when it is public (templates are public).
 */
public final class Workflows {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private static final int MAX_CACHED_GRAPHS = 2000;

    private final WorkflowStore store;
    private final GraphValidator validator;
    private final java.util.Map<String, Checked> checkedGraphs = new java.util.concurrent.ConcurrentHashMap<>();
    private final Clock clock;

    public Workflows(WorkflowStore store, GraphValidator validator, Clock clock) {
        this.store = store;
        this.validator = validator;
        this.clock = clock;
    }

    public GraphValidator validator() {
        return validator;
    }

    /** Random and unguessable, letters and digits only, so {@code <id>-v<n>} splits without doubt. */
    static String newId() {
        StringBuilder sb = new StringBuilder("wf");
        for (int i = 0; i < 24; i++) sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        return sb.toString();
    }

    /**
     * {@code POST /v1/workflows}: without {@code workflow_id} a new workflow (version 1), with it the next version
     * of the caller's workflow. {@code publish: true} also publishes the saved version; {@code public} sets
     * whether other accounts may see and call it.
     */
    public WorkflowRecord save(Principal owner, ObjectNode body) {
        JsonNode graphJson = body.get("graph");
        Checked checked = validator.check(WorkflowGraph.parse(graphJson), owner.accountId());
        String graph = Json.text(checked.graph().toJson());
        // every field is checked for its type before anything is written: "yes" is not a boolean, 5 is not a name
        JsonNode nameJson = body.get("name");
        if (nameJson != null && !nameJson.isNull() && !nameJson.isTextual()) throw ApiException.invalid("$.name: must be a string (1 to 200 characters)");
        String name = nameJson == null || nameJson.isNull() ? "" : nameJson.asText().trim();
        if (name.length() > 200) throw ApiException.invalid("$.name: at most 200 characters, not " + name.length());
        Boolean isPublic = body.has("public") ? bool(body, "public") : null;
        boolean publish = body.has("publish") && bool(body, "publish");
        JsonNode idJson = body.get("workflow_id");
        if (idJson != null && !idJson.isNull() && !idJson.isTextual()) throw ApiException.invalid("$.workflow_id: must be a string");
        String id = idJson == null || idJson.isNull() ? null : idJson.asText();
        long now = clock.millis();
        int version;
        if (id == null) {
            if (name.isEmpty()) throw ApiException.invalid("$.name: is required (1 to 200 characters)");
            id = newId();
            store.create(id, owner.accountId(), name, Boolean.TRUE.equals(isPublic), false, graph, now);
            version = 1;
        } else {
            WorkflowRecord w = owned(owner, id);
            version = store.addVersion(id, name.isEmpty() ? w.name() : name, graph, now);
        }
        if (publish) store.publish(id, version, isPublic, now);
        else if (isPublic != null) store.setPublic(id, isPublic, now);
        return store.find(id).orElseThrow();
    }

    /** Saves a built-in template, owned by the templates account, published and public (first start only). */
    void saveTemplate(String id, String accountId, String name, WorkflowGraph graph) {
        Checked checked = validator.check(graph);
        long now = clock.millis();
        store.create(id, accountId, name, true, true, Json.text(checked.graph().toJson()), now);
        store.publish(id, 1, true, now);
    }

    public WorkflowRecord publish(Principal owner, String id, ObjectNode body) {
        WorkflowRecord w = owned(owner, id);
        JsonNode v = body.get("version");
        // "1" or 1.5 is refused rather than read as 1: asInt would take both
        if (v != null && !v.isNull() && !(v.isIntegralNumber() && v.canConvertToInt())) throw ApiException.invalid("$.version: must be a version number");
        int version = v == null || v.isNull() ? w.latestVersion() : v.asInt();
        if (version < 1 || version > w.latestVersion()) throw ApiException.invalid("$.version: no version " + version + " of workflow " + id);
        Boolean isPublic = body.has("public") ? bool(body, "public") : null;
        store.publish(id, version, isPublic, clock.millis());
        return store.find(id).orElseThrow();
    }

    public void delete(Principal owner, String id) {
        owned(owner, id);
        store.delete(id, clock.millis());
    }

    public List<WorkflowRecord> list(Principal caller) {
        return store.listedFor(caller.accountId());
    }

    /** A workflow the caller may see: theirs, or public; 404 otherwise (as if it did not exist). */
    public WorkflowRecord visible(Principal caller, String id) {
        return store.find(id).filter(w -> w.accountId().equals(caller.accountId()) || w.isPublic() || w.template())
                .orElseThrow(() -> ApiException.notFound("Workflow " + id + " not found"));
    }

    private WorkflowRecord owned(Principal owner, String id) {
        WorkflowRecord w = visible(owner, id);
        if (!w.accountId().equals(owner.accountId())) throw ApiException.forbidden("Workflow " + id + " belongs to another account; save a copy as your own");
        return w;
    }

    /**
     * A version's graph, checked against this process's catalog and operations. Versions never change and the
     * catalog is loaded once per start, so a check holds until the next start and is kept (up to a bound).
     */
    public Checked graph(String id, int version) {
        String cacheKey = id + "-v" + version;
        Checked cached = checkedGraphs.get(cacheKey);
        if (cached != null) return cached;
        String text = store.graph(id, version).orElseThrow(() -> ApiException.notFound("Workflow " + id + " has no version " + version));
        String owner = store.find(id).map(WorkflowRecord::accountId).orElse(null);
        Checked checked;
        try {
            checked = validator.check(WorkflowGraph.parse(Json.MAPPER.readTree(text)), owner);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        if (checkedGraphs.size() >= MAX_CACHED_GRAPHS) checkedGraphs.clear();
        checkedGraphs.put(cacheKey, checked);
        return checked;
    }

    /** The graph a run or view uses, or empty when it no longer passes (a model left the catalog). */
    Optional<Checked> graphIfValid(String id, int version) {
        try {
            return Optional.of(graph(id, version));
        } catch (ApiException e) {
            return Optional.empty();
        }
    }

    /** The list view of SPEC §10; the get view adds the graph, the versions and the latest version. */
    public ObjectNode view(WorkflowRecord w, boolean full) {
        ObjectNode o = Json.object().put("workflow_id", w.id()).put("name", w.name());
        if (w.publishedVersion() == null) o.putNull("version");
        else o.put("version", w.publishedVersion());
        o.put("public", w.isPublic()).put("template", w.template());
        int shown = w.publishedVersion() != null && !full ? w.publishedVersion() : w.latestVersion();
        Optional<Checked> g = graphIfValid(w.id(), shown);
        o.set("inputs", g.map(c -> ports(c.inputs())).orElse(Json.MAPPER.createArrayNode()));
        o.set("outputs", g.map(c -> ports(c.outputs())).orElse(Json.MAPPER.createArrayNode()));
        o.put("created_at", w.createdAt()).put("updated_at", w.updatedAt());
        if (full) {
            o.put("latest_version", w.latestVersion());
            ArrayNode versions = o.putArray("versions");
            store.versions(w.id()).forEach(versions::add);
            try {
                o.set("graph", Json.MAPPER.readTree(store.graph(w.id(), w.latestVersion()).orElseThrow()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return o;
    }

    /** Inputs and outputs of a checked graph as the list and get views show them. */
    private static ArrayNode ports(List<dev.hearth.workflows.operations.Port> ports) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (var p : ports) a.addObject().put("name", p.name()).put("type", p.type().wire());
        return a;
    }

    private static boolean bool(ObjectNode body, String field) {
        if (!body.get(field).isBoolean()) throw ApiException.invalid("$." + field + ": must be true or false");
        return body.get(field).asBoolean();
    }
}
