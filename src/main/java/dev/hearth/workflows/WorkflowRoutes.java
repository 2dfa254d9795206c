package dev.hearth.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;
import dev.hearth.billing.Money;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.AllowedMethods;
import dev.hearth.http.ApiException;
import dev.hearth.http.BaseUrl;
import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.JsonBody;
import dev.hearth.http.Replies;
import dev.hearth.limits.Limits;
import dev.hearth.workflows.GraphValidator.Checked;
import dev.hearth.workflows.WorkflowGraph.Node;
import dev.hearth.workflows.WorkflowStore.NodeState;
import dev.hearth.workflows.WorkflowStore.RunRecord;
import dev.hearth.workflows.WorkflowStore.WorkflowRecord;
import dev.hearth.workflows.operations.Operation;
import dev.hearth.workflows.operations.Port;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

import java.io.IOException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The workflow API (SPEC §10): CRUD under {@code /v1/workflows}, the editor's palette, running a published
 * version at {@code POST /workflows/{workflow_id}-v{n}} and polling {@code /workflows/request/{id}}.
 */
public final class WorkflowRoutes implements HttpService {

    private static final Pattern REF = Pattern.compile("([A-Za-z0-9]+)-v(\\d{1,9})");
    /** A version as Hearth writes it: no sign, no leading zeros. */
    private static final Pattern CANONICAL_VERSION = Pattern.compile("[1-9]\\d{0,8}");

    private final Caller caller;
    private final Workflows workflows;
    private final WorkflowEngine engine;
    private final WorkflowStore store;
    private final Catalog catalog;
    private final Collection<Operation> operations;
    private final BiPredicate<ModelSpec, Principal> callable;
    private final JsonBody body;
    private final BaseUrl base;
    private final Limits limits;
    private final Function<String, List<ModelSpec>> ownEndpoints;

    /** {@code callable} says whether the account may call the model on this Hearth (the palette lists only those). */
    public WorkflowRoutes(Caller caller, Workflows workflows, WorkflowEngine engine, WorkflowStore store, Catalog catalog,
                          Collection<Operation> operations, BiPredicate<ModelSpec, Principal> callable, JsonBody body, BaseUrl base,
                          Limits limits, Function<String, List<ModelSpec>> ownEndpoints) {
        this.limits = limits;
        this.ownEndpoints = ownEndpoints;
        this.caller = caller;
        this.workflows = workflows;
        this.engine = engine;
        this.store = store;
        this.catalog = catalog;
        this.operations = operations;
        this.callable = callable;
        this.body = body;
        this.base = base;
    }

    @Override
    public void routing(HttpRules rules) {
        // reads take from the account's read budget, like every other list and poll (SPEC §5)
        rules.get("/v1/workflows/palette", (req, res) -> Replies.ok(res, palette(reader(req))));
        rules.get("/v1/workflows", (req, res) -> {
            Principal p = reader(req);
            ArrayNode list = Json.MAPPER.createArrayNode();
            for (WorkflowRecord w : workflows.list(p)) list.add(workflows.view(w, false).put("owned", w.accountId().equals(p.accountId())));
            Replies.ok(res, list);
        });
        rules.post("/v1/workflows", (req, res) -> {
            Principal p = caller.account(req);
            Replies.ok(res, workflows.view(workflows.save(p, body.read(req)), true));
        });
        rules.get("/v1/workflows/{id}", (req, res) -> {
            Principal p = reader(req);
            WorkflowRecord w = workflows.visible(p, req.path().pathParameters().get("id"));
            ObjectNode view = workflows.view(w, true).put("owned", w.accountId().equals(p.accountId()));
            String v = req.query().first("version").orElse(null);
            if (v != null) {
                if (!CANONICAL_VERSION.matcher(v).matches()) {
                    throw ApiException.invalid("version: must be a version number written as 1, 2, 3…, not '" + v + "'");
                }
                int n = Integer.parseInt(v);
                // another account sees only the published version
                if (!w.accountId().equals(p.accountId()) && (w.publishedVersion() == null || n != w.publishedVersion())) {
                    throw ApiException.notFound("Workflow " + w.id() + " has no version " + v);
                }
                view.set("graph", workflows.graph(w.id(), n).graph().toJson());
                view.put("shown_version", n);
            }
            Replies.ok(res, view);
        });
        rules.post("/v1/workflows/{id}/publish", (req, res) -> {
            Principal p = caller.account(req);
            ObjectNode b = req.content().hasEntity() ? body.read(req) : Json.object();
            Replies.ok(res, workflows.view(workflows.publish(p, req.path().pathParameters().get("id"), b), true));
        });
        rules.delete("/v1/workflows/{id}", (req, res) -> {
            Principal p = caller.account(req);
            String id = req.path().pathParameters().get("id");
            workflows.delete(p, id);
            Replies.ok(res, Json.object().put("workflow_id", id).put("deleted", true));
        });
        rules.get("/workflows/request/{id}", (req, res) -> Replies.ok(res, runView(caller.account(req), req.path().pathParameters().get("id"))));
        rules.post("/workflows/{ref}", (req, res) -> {
            Principal p = caller.account(req);
            String ref = req.path().pathParameters().get("ref");
            Matcher m = REF.matcher(ref);
            if (!m.matches()) throw ApiException.notFound("Workflow " + ref + " not found; call <workflow_id>-v<version>");
            WorkflowRecord w = workflows.visible(p, m.group(1));
            // "-v01" or "-v001" must not quietly run version 1: one version, one spelling
            if (!CANONICAL_VERSION.matcher(m.group(2)).matches()) {
                throw ApiException.notFound("Workflow " + ref + " not found; versions are written without leading zeros (-v"
                        + m.group(2).replaceFirst("^0+(?=\\d)", "") + ")");
            }
            int version = Integer.parseInt(m.group(2));
            // only a published version is an API; others (and other accounts' unpublished ones) are not there
            if (w.publishedVersion() == null || w.publishedVersion() != version) {
                throw ApiException.notFound("Workflow " + ref + " is not published; publish version " + version + " first");
            }
            Checked graph = workflows.graph(w.id(), version);
            ObjectNode input = req.content().hasEntity() ? body.read(req) : Json.object();
            String b = base.of(req);
            RunRecord run = engine.start(p, w.id(), version, graph, input, b);
            res.header("x-request-id", run.id());
            Replies.ok(res, Json.object().put("request_id", run.id()).put("status", "QUEUED").put("poll_url", b + "/workflows/request/" + run.id()));
        });
        AllowedMethods.only(rules, "/v1/workflows", Method.GET, Method.POST);
        AllowedMethods.only(rules, "/v1/workflows/palette", Method.GET);
        AllowedMethods.only(rules, "/v1/workflows/{id}", Method.GET, Method.DELETE);
        AllowedMethods.only(rules, "/v1/workflows/{id}/publish", Method.POST);
        AllowedMethods.only(rules, "/workflows/request/{id}", Method.GET);
        AllowedMethods.only(rules, "/workflows/{ref}", Method.POST);
    }

    private Principal reader(io.helidon.webserver.http.ServerRequest req) {
        Principal p = caller.account(req);
        limits.admitRead(p.accountId());
        return p;
    }

    /** The poll answer: SPEC §10's status, output and error, plus each node's state and the cost so far. */
    private ObjectNode runView(Principal p, String id) throws IOException {
        // polling counts against the read limit, as polling a v2 request does
        limits.admitRead(p.accountId());
        RunRecord run = store.findRun(id).filter(r -> r.accountId().equals(p.accountId()))
                .orElseThrow(() -> ApiException.notFound("Request " + id + " not found"));
        ObjectNode o = Json.object().put("request_id", run.id()).put("workflow_id", run.workflowId()).put("version", run.version())
                .put("status", run.status().name()).put("output", run.outputs()).put("error", run.error());
        Map<String, NodeState> states = new HashMap<>();
        long cost = 0;
        for (NodeState s : store.nodes(run.id())) {
            states.put(s.nodeId(), s);
            cost += s.cost();
        }
        ArrayNode nodes = o.putArray("nodes");
        Checked graph = workflows.graphIfValid(run.workflowId(), run.version()).orElse(null);
        List<String> order = graph == null ? states.keySet().stream().sorted().toList() : graph.graph().nodes().stream().map(Node::id).toList();
        for (String nodeId : order) {
            NodeState s = states.get(nodeId);
            ObjectNode n = nodes.addObject().put("id", nodeId).put("status", s == null ? "pending" : s.status());
            JsonNode preview = s == null || s.preview() == null ? null : Json.MAPPER.readTree(s.preview());
            if (preview == null) n.putNull("output");
            else n.set("output", preview);
            n.put("error", s == null ? null : s.error());
        }
        o.put("cost", Money.format(cost));
        return o;
    }

    /** What the editor may put on its canvas: input types, operations and the models this account can call. */
    private ObjectNode palette(Principal p) {
        ObjectNode o = Json.object();
        ArrayNode types = o.putArray("input_types");
        GraphValidator.INPUT_TYPES.forEach(types::add);
        ArrayNode ops = o.putArray("operations");
        for (Operation op : operations.stream().sorted(Comparator.comparing(Operation::name)).toList()) {
            ObjectNode n = ops.addObject().put("operation", op.name()).put("title", op.title());
            n.set("inputs", ports(op.inputs(), true));
            n.set("outputs", ports(op.outputs(), false));
            n.set("params_schema", op.paramsSchema());
        }
        ArrayNode models = o.putArray("models");
        for (ModelSpec m : catalog.all().stream().sorted(Comparator.comparing(ModelSpec::slug)).toList()) {
            if (m.retired() || !m.enabled() || !callable.test(m, p)) continue;
            paletteModel(models, m, m.title());
        }
        // the account's dedicated endpoints, under their own names (served by the endpoint's workers, no per-call price)
        for (ModelSpec m : ownEndpoints.apply(p.accountId())) {
            paletteModel(models, m, m.slug() + " (your endpoint: " + m.title() + ")").put("endpoint", true);
        }
        return o;
    }

    /** One model the editor may place: its name, ports (as the validator sees them) and parameter schema. */
    private static ObjectNode paletteModel(ArrayNode models, ModelSpec m, String title) {
        NodePorts ports = ModelPorts.of(m);
        ObjectNode n = models.addObject().put("model", m.slug()).put("title", title).put("category", m.category());
        n.set("inputs", ports(ports.inputs(), true));
        n.set("outputs", ports(ports.outputs(), false));
        n.set("params_schema", m.inputSchema());
        return n;
    }

    private static ArrayNode ports(List<Port> ports, boolean withRequired) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (Port port : ports) {
            ObjectNode n = a.addObject().put("name", port.name()).put("type", port.type().wire());
            if (withRequired) n.put("required", port.required());
        }
        return a;
    }
}
