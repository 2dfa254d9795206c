package dev.hearth.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;
import dev.hearth.billing.CreditHold;
import dev.hearth.billing.InsufficientCredits;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.Money;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.jobs.CallResult;
import dev.hearth.jobs.ModelCall;
import dev.hearth.jobs.ModelCalls;
import dev.hearth.limits.Limits;
import dev.hearth.runners.MediaBlob;
import dev.hearth.storage.MediaInputs;
import dev.hearth.storage.Storage;
import dev.hearth.storage.StoredObject;
import dev.hearth.workflows.GraphValidator.Checked;
import dev.hearth.workflows.WorkflowGraph.Edge;
import dev.hearth.workflows.WorkflowGraph.Kind;
import dev.hearth.workflows.WorkflowGraph.Node;
import dev.hearth.workflows.WorkflowStore.NodeState;
import dev.hearth.workflows.WorkflowStore.RunRecord;
import dev.hearth.workflows.WorkflowStore.RunStatus;
import dev.hearth.workflows.operations.Operation;
import dev.hearth.workflows.operations.OperationFailure;
import dev.hearth.workflows.operations.PortType;
import dev.hearth.workflows.operations.Value;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * Runs published workflow versions. What a run is admitted with is checked once, at submit: it counts once
 * against the account's request rate, the premium gate is asked for every model node, and the worst case of
 * the whole graph is held ({@link Ledger#holdForSteps}; 406 and nothing run when the balance cannot cover it).
 * A run is then a row (QUEUED) and runs on a virtual thread: nodes start as soon as everything they read has
 * finished, so independent branches run side by side. Each model node is an ordinary model call through
 * {@link ModelCalls} that skips the run's checks, waits its turn for a concurrency place, and charges the run's
 * hold under its own request id; operations run here, free. The run's end gives back what the hold has left.
 * Each node's result is stored as it finishes, so a run left unfinished by a stop resumes from its finished
 * nodes at the next start, charging the same hold. The first failing node fails the run; nodes already
 * finished stay charged (they answered), nodes not started never run.
 */
public final class WorkflowEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkflowEngine.class);
    /** How long a model node waits for the account's rate or concurrency limit to let it through. */
    static final long LIMIT_WAIT_MILLIS = 120_000;
    /** A run's hold lives as long as an unfinished run may wait for a restart; the run's end releases it before. */
    static final long RUN_HOLD_TTL_MILLIS = 24 * 3600_000L;

    private final WorkflowStore store;
    private final Catalog catalog;
    private final NodeModels models;
    private final Function<String, Operation> operations;
    private final ModelCalls calls;
    private final Ledger ledger;
    private final Limits limits;
    private final Storage storage;
    private final MediaInputs mediaInputs;
    private final Clock clock;
    private final String nodeName;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile RunEvents events = RunEvents.NONE;
    private volatile java.util.function.Predicate<String> accountSuspended = account -> false;
    private volatile boolean stopping;
    private volatile OperationBounds bounds = OperationBounds.DEFAULTS;

    public WorkflowEngine(WorkflowStore store, Catalog catalog, NodeModels models, Function<String, Operation> operations, ModelCalls calls,
                          Ledger ledger, Limits limits, Storage storage, MediaInputs mediaInputs, Clock clock, String nodeName) {
        this.store = store;
        this.catalog = catalog;
        this.models = models;
        this.operations = operations;
        this.calls = calls;
        this.ledger = ledger;
        this.limits = limits;
        this.storage = storage;
        this.mediaInputs = mediaInputs;
        this.clock = clock;
        this.nodeName = nodeName;
    }

    /** The bounds on what operations make and how long they take (the {@code workflows:} settings). */
    public void boundOperations(OperationBounds bounds) {
        this.bounds = bounds;
    }

    public void useEvents(RunEvents events) {
        this.events = events;
    }

    /**
     * Says which accounts the operator has suspended. Their keys are refused at the door, but a run started before
     * the suspension would go on calling (and charging) its model nodes: each model node asks first and, for a
     * suspended account, fails with 403 instead (nodes already running finish, as when any node fails).
     */
    public void refuseSuspended(java.util.function.Predicate<String> accountSuspended) {
        this.accountSuspended = accountSuspended;
    }

    /**
     * Checks the caller's inputs and that the run can be paid for in the worst case, stores the run and starts
     * it. Refusals (422 bad inputs, 406 not enough credits) store and run nothing.
     */
    public RunRecord start(Principal caller, String workflowId, int version, Checked graph, ObjectNode body, String base) {
        String accountId = caller.accountId();
        // one run is one request against the account's per-minute rate, whatever it is made of (operations too)
        limits.admitModelCall(accountId);
        ObjectNode inputs = inputs(graph, body);
        Map<String, Value> values = resolve(graph, inputs, base);
        checkPremium(graph, accountId);
        String runId = "wfr_" + UUID.randomUUID().toString().replace("-", "");
        CreditHold hold = holdWorstCase(graph, accountId, runId);
        RunRecord run = new RunRecord(runId, workflowId, version, accountId, caller.keyId(), nodeName, RunStatus.QUEUED,
                Json.text(inputs), null, null, base, clock.millis(), null, null);
        try {
            store.insertRun(run);
        } catch (RuntimeException e) {
            if (hold != null) ledger.voidHold(hold);
            throw e;
        }
        threads.submit(() -> execute(run, graph, values, hold));
        return run;
    }

    /** The premium gate, once per run for every model node of the graph (403 naming the first premium model refused). */
    private void checkPremium(Checked graph, String accountId) {
        long balance = -1;
        for (Node n : graph.graph().ofKind(Kind.MODEL)) {
            ModelSpec m = models.find(accountId, n.model());
            if (m == null || !m.premium()) continue;
            if (balance < 0) balance = ledger.balance(accountId).total();
            limits.checkPremium(m, accountId, balance);
        }
    }

    /**
     * Holds the run's worst case, so that no node can fail for credits once the run is accepted and concurrent
     * runs can never spend the same credits (406 and nothing stored or run when the balance cannot cover it).
     * A run without model nodes costs nothing and holds nothing.
     */
    private CreditHold holdWorstCase(Checked graph, String accountId, String runId) {
        if (graph.graph().ofKind(Kind.MODEL).isEmpty()) return null;
        try {
            return ledger.holdForSteps(accountId, runId, worstCase(graph, accountId), RUN_HOLD_TTL_MILLIS);
        } catch (InsufficientCredits e) {
            throw new ApiException(406, e.explain("the worst case of a run of this workflow"));
        }
    }

    /**
     * The most a run can cost before it starts: each model node's worst case with its fixed parameters, as the
     * caller would pay it (a node on the caller's own dedicated endpoint costs nothing per call).
     */
    long worstCase(Checked graph, String accountId) {
        long sum = 0;
        for (Node n : graph.graph().ofKind(Kind.MODEL)) {
            ModelSpec m = models.find(accountId, n.model());
            if (m == null) continue;
            ObjectNode params = catalog.validator(m.slug()) == null ? n.params() : withDefaults(m, n.params());
            sum += m.pricing().worstCaseUnwired(params, m.scaling().executionTimeoutSeconds());
        }
        return sum;
    }

    private static ObjectNode withDefaults(ModelSpec m, ObjectNode fixed) {
        ObjectNode p = fixed.deepCopy();
        m.inputSchema().path("properties").properties().forEach(e -> {
            if (!p.has(e.getKey()) && e.getValue().has("default")) p.set(e.getKey(), e.getValue().get("default"));
        });
        return p;
    }

    /** The caller's object keyed by input names, defaults applied and types checked (422 naming the input). */
    static ObjectNode inputs(Checked graph, ObjectNode body) {
        ObjectNode out = Json.object();
        for (Node n : graph.graph().ofKind(Kind.INPUT)) {
            String type = n.params().path("type").asText();
            JsonNode v = body.get(n.name());
            if (v == null || v.isNull()) v = n.params().get("default");
            if (v == null || v.isNull()) throw ApiException.invalid("$." + n.name() + ": is required (" + type + " input of this workflow)");
            if (type.equals("number")) {
                if (v.isTextual()) {
                    try {
                        v = NodeValues.number(Double.parseDouble(v.asText().trim()));
                    } catch (NumberFormatException e) {
                        throw ApiException.invalid("$." + n.name() + ": must be a number");
                    }
                }
                // "NaN", "Infinity" and 1e999 parse as doubles but are no number a model or JSON output can take
                if (!v.isNumber() || !Double.isFinite(v.asDouble())) throw ApiException.invalid("$." + n.name() + ": must be a number");
            } else if (!v.isTextual()) {
                throw ApiException.invalid("$." + n.name() + ": must be a string" + (type.equals("text") ? "" : " (a URL, a data: URL or base64)"));
            }
            out.set(n.name(), v);
        }
        return out;
    }

    /** The input nodes' values; image and audio inputs take the same forms as a model call's media (422 if unreadable). */
    private Map<String, Value> resolve(Checked graph, ObjectNode inputs, String base) {
        ObjectNode schema = Json.object();
        ObjectNode props = schema.putObject("properties");
        for (Node n : graph.graph().ofKind(Kind.INPUT)) {
            String type = n.params().path("type").asText();
            if (type.equals("image") || type.equals("audio")) props.putObject(n.name()).put("type", "string").put(MediaInputs.KEYWORD, type);
        }
        Map<String, MediaBlob> media = props.isEmpty() ? Map.of() : mediaInputs.resolve(schema, inputs, base).media();
        Map<String, Value> values = new HashMap<>();
        for (Node n : graph.graph().ofKind(Kind.INPUT)) {
            PortType type = PortType.fromWire(n.params().path("type").asText());
            MediaBlob blob = media.get(n.name());
            values.put(n.id(), blob != null ? new Value.Media(type, blob.bytes(), blob.contentType()) : NodeValues.of(type, inputs.get(n.name())));
        }
        return values;
    }

    /** What one finished node left: its port values and their stored form. */
    private record Done(Map<String, Value> values, ObjectNode stored) {
    }

    private record Finished(Node node, Done done, Exception failure) {
    }

    private void execute(RunRecord run, Checked graph, Map<String, Value> inputValues, CreditHold hold) {
        try {
            runGraph(run, graph, inputValues, hold);
        } catch (Exception e) {
            if (stopping) {
                // interrupted by the stop: the run stays unfinished and resumes at the next start
                log.info("workflow run {} paused by the stop; it resumes at the next start", run.id());
                return;
            }
            log.error("workflow run {} failed unexpectedly", run.id(), e);
            finish(run, hold, RunStatus.FAILED, null, "Internal error: " + e.getMessage());
        }
    }

    private void runGraph(RunRecord run, Checked graph, Map<String, Value> inputValues, CreditHold hold) throws Exception {
        store.markProcessing(run.id(), clock.millis());
        Principal caller = new Principal(run.accountId(), run.keyId(), false);
        NodeValues.MediaShelf shelf = shelf(run);
        Map<String, NodeState> earlier = new HashMap<>();
        for (NodeState s : store.nodes(run.id())) earlier.put(s.nodeId(), s);
        // written by this thread as nodes finish, read by the node threads (an output node reads its source's stored value)
        Map<String, Done> done = new java.util.concurrent.ConcurrentHashMap<>();
        for (Node n : graph.order()) {
            NodeState s = earlier.get(n.id());
            if (s != null && s.status().equals("completed")) {
                ObjectNode stored = (ObjectNode) Json.MAPPER.readTree(s.outputs());
                done.put(n.id(), new Done(NodeValues.load(stored, shelf), stored));
            }
        }
        Set<Node> pending = new LinkedHashSet<>(graph.order().stream().filter(n -> !done.containsKey(n.id())).toList());
        LinkedBlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
        OperationBounds.RunTally made = bounds.tally();
        int running = 0;
        String failure = null;
        while (true) {
            if (failure == null && !stopping) {
                for (var it = pending.iterator(); it.hasNext(); ) {
                    Node n = it.next();
                    if (!graph.edgesInto(n.id()).stream().allMatch(e -> done.containsKey(e.fromNode()))) continue;
                    it.remove();
                    running++;
                    Map<String, Value> wired = new HashMap<>();
                    for (Edge e : graph.edgesInto(n.id())) wired.put(e.toPort(), done.get(e.fromNode()).values().get(e.fromPort()));
                    NodeState before = earlier.get(n.id());
                    threads.submit(() -> {
                        try {
                            finished.add(new Finished(n, runNode(run, hold, caller, graph, n, wired, inputValues, before, shelf, done, made), null));
                        } catch (Exception e) {
                            finished.add(new Finished(n, null, e));
                        }
                    });
                }
            }
            if (running == 0) break;
            Finished f = finished.take();
            running--;
            if (f.failure == null) {
                done.put(f.node.id(), f.done);
                continue;
            }
            if (stopping) continue; // stopped under it: the node runs again at the next start
            String why = f.failure instanceof ApiException || f.failure instanceof OperationFailure || f.failure instanceof IllegalStateException
                    ? f.failure.getMessage() : f.failure.toString();
            // keep the attempt and request id the node ran under, so the failure can be found in usage records
            NodeState ran = store.nodes(run.id()).stream().filter(x -> x.nodeId().equals(f.node.id())).findFirst().orElse(earlier.get(f.node.id()));
            store.saveNode(run.id(), state(f.node.id(), "failed", ran, null, null, why, 0), clock.millis());
            if (failure == null) failure = "node '" + f.node.id() + "' failed: " + why;
        }
        if (stopping && failure == null && !pending.isEmpty()) return; // resumes at the next start
        for (Node n : pending) store.saveNode(run.id(), state(n.id(), "skipped", earlier.get(n.id()), null, null, null, 0), clock.millis());
        if (failure != null) {
            finish(run, hold, RunStatus.FAILED, null, failure);
            return;
        }
        ArrayNode outputs = Json.MAPPER.createArrayNode();
        for (Node n : graph.graph().ofKind(Kind.OUTPUT)) {
            outputs.addObject().put("keyname", n.name()).putObject("value").put("data", NodeValues.data(done.get(n.id()).stored().path("value")));
        }
        finish(run, hold, RunStatus.COMPLETED, Json.text(outputs), null);
    }

    private Done runNode(RunRecord run, CreditHold hold, Principal caller, Checked graph, Node n, Map<String, Value> wired, Map<String, Value> inputValues,
                         NodeState before, NodeValues.MediaShelf shelf, Map<String, Done> done, OperationBounds.RunTally made)
            throws Exception {
        return switch (n.kind()) {
            case INPUT -> complete(run, n, before, Map.of("value", inputValues.get(n.id())), shelf, 0, null);
            case OUTPUT -> {
                Edge e = graph.edgesInto(n.id()).getFirst();
                ObjectNode stored = Json.object();
                stored.set("value", done.get(e.fromNode()).stored().get(e.fromPort()));
                store.saveNode(run.id(), state(n.id(), "completed", before, Json.text(stored), NodeValues.preview(stored), null, 0), clock.millis());
                yield new Done(Map.of("value", wired.get("value")), stored);
            }
            case OPERATION -> {
                Operation op = operations.apply(n.operation());
                if (op == null) throw new IllegalStateException("operation '" + n.operation() + "' is not available on this Hearth");
                store.saveNode(run.id(), state(n.id(), "running", before, null, null, null, 0), clock.millis());
                Map<String, Value> values = bounds.run(op, wired, n.params());
                made.add(values);
                yield complete(run, n, before, values, shelf, 0, null);
            }
            case MODEL -> runModel(run, hold, caller, n, wired, before, shelf);
        };
    }

    private Done runModel(RunRecord run, CreditHold hold, Principal caller, Node n, Map<String, Value> wired, NodeState before, NodeValues.MediaShelf shelf)
            throws Exception {
        // each attempt of a node has its own request id; one charged before a crash is never run (nor charged) again
        int attempt = before == null ? 0 : before.attempt() + 1;
        for (int a = 0; a < attempt; a++) {
            if (ledger.charged(requestId(run.id(), n.id(), a))) {
                throw new IllegalStateException("this node was charged before Hearth restarted, but its result was lost; it is not run twice");
            }
        }
        String requestId = requestId(run.id(), n.id(), attempt);
        NodeState running = new NodeState(n.id(), "running", attempt, requestId, null, null, null, 0);
        store.saveNode(run.id(), running, clock.millis());
        ObjectNode body = n.params().deepCopy();
        wired.forEach((port, v) -> body.set(port, NodeValues.param(v)));
        Map<String, Value> values;
        CallResult result;
        try {
            if (accountSuspended.test(caller.accountId())) {
                throw ApiException.forbidden("Account " + caller.accountId() + " is suspended; the node was not run");
            }
            ModelSpec model = models.find(caller.accountId(), n.model());
            if (model == null) model = catalog.resolve(n.model()); // gone since the graph was saved: the 404 names it
            result = callWaitingForTurn(new ModelCall(caller, n.model(), body, run.base(), false, null,
                    ModelCall.WorkflowStep.ofRun(run.id(), requestId, hold)));
            values = ModelPorts.values(model, result.output());
        } catch (ApiException | IllegalStateException e) {
            if (!stopping) events.nodeRun(run.accountId(), run.id(), nodeEvent(run, n, "FAILED", null, e.getMessage()));
            throw e;
        }
        return complete(run, n, running, values, shelf, result.cost(), requestId);
    }

    /**
     * Calls a node's model; a 429 (the account's rate or concurrency limit, e.g. two parallel branches on a
     * plan with one concurrent job) makes the node wait its turn as the Retry-After says, up to
     * {@link #LIMIT_WAIT_MILLIS}, instead of failing the run. A refusal takes nothing (no hold, no slot), so
     * asking again with the same request id is safe.
     */
    private CallResult callWaitingForTurn(ModelCall call) throws InterruptedException {
        long deadline = clock.millis() + LIMIT_WAIT_MILLIS;
        while (true) {
            try {
                return calls.call(call);
            } catch (ApiException e) {
                if (e.status() != 429 || stopping) throw e;
                long retryMillis = Math.min(5_000, Math.max(200, 1000 * parseSeconds(e.headers().get("Retry-After"))));
                if (clock.millis() + retryMillis > deadline) throw e;
                Thread.sleep(retryMillis);
            }
        }
    }

    private static long parseSeconds(String header) {
        try {
            return header == null ? 1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    static String requestId(String runId, String nodeId, int attempt) {
        return runId + "-" + nodeId + (attempt == 0 ? "" : "-" + attempt);
    }

    private Done complete(RunRecord run, Node n, NodeState before, Map<String, Value> values, NodeValues.MediaShelf shelf, long cost,
                          String requestId) {
        ObjectNode stored = NodeValues.store(values, shelf);
        JsonNode preview = NodeValues.preview(stored);
        NodeState s = new NodeState(n.id(), "completed", before == null ? 0 : before.attempt(), requestId != null ? requestId : before == null ? null : before.requestId(),
                Json.text(stored), preview == null ? null : Json.text(preview), null, cost);
        store.saveNode(run.id(), s, clock.millis());
        if (n.kind() == Kind.MODEL) events.nodeRun(run.accountId(), run.id(), nodeEvent(run, n, "COMPLETED", stored, null));
        return new Done(values, stored);
    }

    private static NodeState state(String nodeId, String status, NodeState before, String outputs, JsonNode preview, String error, long cost) {
        return new NodeState(nodeId, status, before == null ? 0 : before.attempt(), before == null ? null : before.requestId(), outputs,
                preview == null ? null : Json.text(preview), error, cost);
    }

    private static ObjectNode nodeEvent(RunRecord run, Node n, String status, ObjectNode stored, String error) {
        ObjectNode e = Json.object().put("event_type", "NODE_RUN").put("request_id", run.id()).put("workflow_id", run.workflowId())
                .put("version", run.version()).put("node_id", n.id()).put("model", n.model()).put("status", status);
        ObjectNode outs = e.putObject("outputs");
        if (stored != null) stored.properties().forEach(p -> outs.put(p.getKey(), NodeValues.data(p.getValue())));
        if (error != null) e.put("error", error);
        return e;
    }

    /** Ends the run and, in the same transaction, gives back what its hold has left: no hold outlives its run. */
    private void finish(RunRecord run, CreditHold hold, RunStatus status, String outputs, String error) {
        long now = clock.millis();
        if (hold == null) store.finishRun(run.id(), status, outputs, error, now);
        else ledger.voidHold(hold, (h, released) -> store.finishRun(h, run.id(), status, outputs, error, now));
        ObjectNode e = Json.object().put("event_type", "GRAPH_RUN").put("request_id", run.id()).put("workflow_id", run.workflowId())
                .put("version", run.version()).put("status", status.name()).put("output", outputs).put("error", error)
                .put("cost", Money.format(cost(run.id())));
        events.graphRun(run.accountId(), run.id(), e);
    }

    long cost(String runId) {
        return store.nodes(runId).stream().mapToLong(NodeState::cost).sum();
    }

    /** Media a node produced: kept as an output of the run's account, so its URL works and a resumed run reads it back. */
    private NodeValues.MediaShelf shelf(RunRecord run) {
        return new NodeValues.MediaShelf() {
            @Override
            public NodeValues.Shelved put(byte[] bytes, String contentType) {
                StoredObject o = storage.saveOutput(run.accountId(), bytes, contentType);
                return new NodeValues.Shelved(o.id(), run.base() == null ? o.path() : o.url(run.base()));
            }

            @Override
            public byte[] get(String id) {
                StoredObject o = storage.find(id, StoredObject.Kind.OUTPUT)
                        .orElseThrow(() -> new IllegalStateException("a stored node output has expired"));
                try {
                    return storage.read(o);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /**
     * At start: runs a gateway of this name left QUEUED or PROCESSING continue from their finished nodes (runs
     * of nodes that died come back through {@link RunLeases}). The graph is the run's version, checked again (a
     * model removed since fails the run, naming it).
     */
    public int recover(Function<RunRecord, Checked> graphOf) {
        return resume(store.unfinishedRuns(nodeName, clock.millis()), graphOf);
    }

    int resume(List<RunRecord> runs, Function<RunRecord, Checked> graphOf) {
        int resumed = 0;
        for (RunRecord run : runs) {
            try {
                Checked graph = graphOf.apply(run);
                Map<String, Value> values = resolve(graph, (ObjectNode) Json.MAPPER.readTree(run.inputs()), run.base());
                // the hold taken at submit, still open: the resumed nodes charge it, and the run's end releases it
                CreditHold hold = ledger.openHold(run.id()).orElse(null);
                if (hold == null && !graph.graph().ofKind(Kind.MODEL).isEmpty()) {
                    throw new IllegalStateException("its credit hold expired while Hearth was down");
                }
                threads.submit(() -> execute(run, graph, values, hold));
                resumed++;
            } catch (Exception e) {
                log.warn("workflow run {} cannot resume: {}", run.id(), e.getMessage());
                finish(run, ledger.openHold(run.id()).orElse(null), RunStatus.FAILED, null, "Could not resume after a restart: " + e.getMessage());
            }
        }
        if (resumed > 0) log.info("resumed {} unfinished workflow runs", resumed);
        return resumed;
    }

    /** Stops starting nodes; runs in progress stay unfinished in the table and resume at the next start. */
    public void stop() {
        stopping = true;
    }

    @Override
    public void close() {
        stopping = true;
        threads.shutdownNow();
    }
}
