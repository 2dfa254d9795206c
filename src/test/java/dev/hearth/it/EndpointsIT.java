package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.billing.Balance;
import dev.hearth.billing.Money;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dedicated endpoints over HTTP (SPEC §9): the control API and its validation, warm workers, private queues,
 * scaling up under load and back to the minimum or to zero, privacy between accounts, and billing per
 * worker-second through the ledger (1 s ticks, at $36 per worker-hour = 1 cent per worker-second).
 */
class EndpointsIT {

    static HearthServer server;
    static final TaggedRunners tagged = new TaggedRunners();
    String accountId;
    String key;

    @BeforeAll
    static void start() throws IOException {
        server = HearthServer.start(HearthServer.Store.SQLITE, config(), Map.of("tagged", tagged));
    }

    static Map<String, String> config() throws IOException {
        return Map.of("catalog.dir", TaggedRunners.catalogDir().toString(), "endpoints.billing_tick_seconds", "1",
                "endpoints.hardware.cpu", "36");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void account() {
        JsonNode acc = server.createAccount("endpoints", "pro", "10");
        accountId = acc.get("account_id").asText();
        key = acc.get("api_key").asText();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    static Reply add(String key, String body) {
        return server.post("/endpoint/add", key, body);
    }

    static JsonNode addOk(String key, String body) {
        return addOk(server, key, body);
    }

    static JsonNode addOk(HearthServer s, String key, String body) {
        Reply r = s.post("/endpoint/add", key, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("endpoint_id").asText()).isNotBlank();
        assertThat(r.json().has("status")).isTrue();
        assertThat(r.json().has("message")).isTrue();
        return r.json();
    }

    static JsonNode endpoints(String key) {
        return endpoints(server, key);
    }

    static JsonNode endpoints(HearthServer s, String key) {
        Reply r = s.get("/endpoint/list", key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("endpoints");
    }

    static JsonNode endpoint(String key, String name) {
        return endpoint(server, key, name);
    }

    static JsonNode endpoint(HearthServer s, String key, String name) {
        for (JsonNode e : endpoints(s, key)) if (e.get("endpoint_name").asText().equals(name)) return e;
        return null;
    }

    static Reply call(String key, String slug, long millis) {
        return server.post("/v1/" + slug, key, "{\"millis\": " + millis + "}");
    }

    static String instanceOf(Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("instance").asText();
    }

    Balance balance() {
        return server.app.ledger.balance(accountId);
    }

    // ---- tests -----------------------------------------------------------------------------------------------

    @Test
    void aWarmEndpointRunsItsCallsOnlyOnItsOwnWorkersAndIsNotChargedPerCall() {
        int bootsBefore = tagged.boots.get();
        JsonNode added = addOk(key, """
                {"endpoint_name": "warm-one", "model_name": "tagged", "workers_min": 1, "workers_max": 1, "idle_timeout": 60,
                 "execution_timeout": 30, "scaler_type": "REQUEST_COUNT", "scaler_value": 1, "gpu_id": "cpu"}""");
        String id = added.get("endpoint_id").asText();
        assertThat(added.get("status").asText()).isIn("deploying", "ready");
        // one worker warm before the first call
        await().atMost(Duration.ofSeconds(10)).until(() -> "ready".equals(endpoint(key, "warm-one").get("status").asText()));
        JsonNode e = endpoint(key, "warm-one");
        assertThat(e.get("endpoint_id").asText()).isEqualTo(id);
        assertThat(e.get("workers")).hasSize(1);
        assertThat(e.get("workers").get(0).get("state").asText()).isEqualTo("ready");
        assertThat(e.get("model_name").asText()).isEqualTo("tagged");
        assertThat(e.get("workers_min").asInt()).isEqualTo(1);
        assertThat(e.get("execution_timeout").asInt()).isEqualTo(30);
        assertThat(e.get("gpu_id").asText()).isEqualTo("cpu");
        assertThat(tagged.boots.get() - bootsBefore).isEqualTo(1);
        String worker = tagged.lastBooted.get();

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            Reply r = call(key, "warm-one", 0);
            seen.add(instanceOf(r));
            assertThat(new BigDecimal(r.header("x-cost"))).isEqualByComparingTo("0");
        }
        assertThat(seen).containsExactly(worker);
        assertThat(tagged.boots.get() - bootsBefore).as("no boot for the calls: the worker was warm").isEqualTo(1);

        // the public model is another pool: its own instance, billed per call as before
        Reply pub = call(key, "tagged", 0);
        assertThat(instanceOf(pub)).isNotEqualTo(worker);
        assertThat(new BigDecimal(pub.header("x-cost"))).isEqualByComparingTo("0.01");
        // and the endpoint's calls still go to its worker only
        assertThat(instanceOf(call(key, "warm-one", 0))).isEqualTo(worker);

        // v2 goes to the same worker; the request record names the endpoint
        Reply v2 = server.post("/v2/warm-one", key, "{\"millis\": 0}");
        assertThat(v2.status()).as(v2.body()).isEqualTo(200);
        String req = v2.json().get("request_id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> "COMPLETED".equals(server.get("/v2/requests/" + req + "/status", key)
                .json().get("status").asText()));
        JsonNode done = server.get("/v2/requests/" + req, key).json();
        assertThat(done.get("output").get("instance").asText()).isEqualTo(worker);

        // usage: the endpoint's row counts its calls; the worker time is its amount
        assertThat(server.send("DELETE", "/endpoint/delete", key, "application/json", "{\"endpoint_id\": \"" + id + "\"}").status()).isEqualTo(200);
        JsonNode rows = server.get("/v1/usage?model=warm-one", key).json().get("rows");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("inferences").asLong()).isEqualTo(6);
        assertThat(rows.get(0).get("amount").decimalValue()).isPositive();
        assertThat(tagged.closed.contains(worker)).as("deleting the endpoint stopped its worker").isTrue();
    }

    @Test
    void callsTakeTheReadyWorkersInTurn() {
        addOk(key, "{\"endpoint_name\": \"three\", \"model_name\": \"tagged\", \"workers_min\": 3, \"workers_max\": 3}");
        await().atMost(Duration.ofSeconds(10)).until(() -> "ready".equals(endpoint(key, "three").get("status").asText()));
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) order.add(instanceOf(call(key, "three", 0)));
        // round-robin: three different workers, then the same three in the same order
        assertThat(new HashSet<>(order.subList(0, 3))).hasSize(3);
        assertThat(order.subList(3, 6)).isEqualTo(order.subList(0, 3));
        JsonNode workers = endpoint(key, "three").get("workers");
        for (JsonNode w : workers) assertThat(w.get("calls_served").asInt()).isEqualTo(2);
    }

    @Test
    void loadScalesUpToTheMaximumAndIdleScalesBackToTheMinimum() throws Exception {
        addOk(key, """
                {"endpoint_name": "busy-one", "model_name": "tagged", "workers_min": 1, "workers_max": 3, "idle_timeout": 2,
                 "scaler_value": 1}""");
        await().atMost(Duration.ofSeconds(10)).until(() -> "ready".equals(endpoint(key, "busy-one").get("status").asText()));
        AtomicInteger most = new AtomicInteger();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (watching.get()) {
                most.accumulateAndGet(endpoint(key, "busy-one").get("workers").size(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Set<String> instances = ConcurrentHashMap.newKeySet();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Reply>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) calls.add(pool.submit(() -> call(key, "busy-one", 1500)));
            for (Future<Reply> f : calls) instances.add(instanceOf(f.get()));
        }
        watching.set(false);
        watcher.join();
        assertThat(most.get()).as("scaled up, never above workers_max").isEqualTo(3);
        assertThat(instances).as("calls spread over the workers").hasSizeGreaterThan(1);
        // idle for idle_timeout: back to workers_min, not below
        await().atMost(Duration.ofSeconds(15)).until(() -> endpoint(key, "busy-one").get("workers").size() == 1);
        Thread.sleep(3000);
        JsonNode e = endpoint(key, "busy-one");
        assertThat(e.get("workers")).hasSize(1);
        assertThat(e.get("status").asText()).isEqualTo("ready");
    }

    @Test
    void minZeroScalesToZeroAfterTheIdleTimeoutAndTheNextCallBootsAWorker() throws Exception {
        addOk(key, """
                {"endpoint_name": "cold-one", "model_name": "tagged-slow-boot", "workers_min": 0, "workers_max": 1, "idle_timeout": 1}""");
        Thread.sleep(500);
        JsonNode e = endpoint(key, "cold-one");
        assertThat(e.get("status").asText()).isEqualTo("idle");
        assertThat(e.get("workers")).isEmpty();

        List<String> statuses = new CopyOnWriteArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (watching.get()) {
                JsonNode x = endpoint(key, "cold-one");
                statuses.add(x.get("status").asText() + "/" + (x.get("workers").isEmpty() ? "-" : x.get("workers").get(0).get("state").asText()));
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ex) {
                    return;
                }
            }
        });
        Reply r = call(key, "cold-one", 0);
        watching.set(false);
        watcher.join();
        instanceOf(r);
        assertThat(Double.parseDouble(r.header("x-queue-time"))).as("the call waited for the boot").isGreaterThanOrEqualTo(0.7);
        assertThat(statuses).as("the status showed the boot").contains("deploying/booting");
        assertThat(endpoint(key, "cold-one").get("workers")).hasSize(1);
        // idle for 1 s: zero workers again
        await().atMost(Duration.ofSeconds(10)).until(() -> endpoint(key, "cold-one").get("workers").isEmpty());
        assertThat(endpoint(key, "cold-one").get("status").asText()).isEqualTo("idle");
    }

    @Test
    void anotherAccountCannotSeeCallChangeOrDeleteTheEndpoint() {
        String id = addOk(key, """
                {"endpoint_name": "private-one", "model_name": "tagged", "workers_min": 1, "workers_max": 1}""").get("endpoint_id").asText();
        JsonNode other = server.createAccount("someone-else", "pro", "10");
        String otherKey = other.get("api_key").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> "ready".equals(endpoint(key, "private-one").get("status").asText()));

        Reply r = call(otherKey, "private-one", 0);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("error").asText()).contains("not found");
        assertThat(endpoints(otherKey)).isEmpty();
        assertThat(server.send("PUT", "/endpoint/update", otherKey, "application/json",
                "{\"endpoint_id\": \"" + id + "\", \"workers_max\": 2}").status()).isEqualTo(404);
        assertThat(server.send("DELETE", "/endpoint/delete", otherKey, "application/json",
                "{\"endpoint_id\": \"" + id + "\"}").status()).isEqualTo(404);
        assertThat(server.send("DELETE", "/endpoint/delete", otherKey, "application/json",
                "{\"endpoint_name\": \"private-one\"}").status()).isEqualTo(404);
        // the other account may even use the same name for its own endpoint
        addOk(otherKey, "{\"endpoint_name\": \"private-one\", \"model_name\": \"tagged\"}");
        // the owner's endpoint is untouched, and public-model calls work for both
        assertThat(endpoint(key, "private-one").get("workers_max").asInt()).isEqualTo(1);
        assertThat(call(key, "private-one", 0).status()).isEqualTo(200);
        assertThat(call(key, "tagged", 0).status()).isEqualTo(200);
        assertThat(call(otherKey, "tagged", 0).status()).isEqualTo(200);
    }

    @Test
    void theOpenAiRoutesResolveTheCallersEndpointNamesLikeEveryOtherRouteAndCheckThemBeforeRunning() {
        addOk(key, "{\"endpoint_name\": \"named-one\", \"model_name\": \"tagged\", \"workers_min\": 1, \"workers_max\": 1}");
        await().atMost(Duration.ofSeconds(10)).until(() -> "ready".equals(endpoint(key, "named-one").get("status").asText()));
        String otherKey = server.createAccount("not-the-owner", "pro", "10").get("api_key").asText();
        int runsBefore = tagged.runs.get();
        String chat = "{\"model\": \"named-one\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";

        // the owner's endpoint is found at /v1/chat/completions (not a 404), and refused there because its model is no chat model
        Reply mine = server.post("/v1/chat/completions", key, chat);
        assertThat(mine.status()).as(mine.body()).isEqualTo(422);
        assertThat(mine.json().get("error").asText()).contains("'named-one' does not answer OpenAI chat completions");
        // for anyone else the name means nothing
        assertThat(server.post("/v1/chat/completions", otherKey, chat).status()).isEqualTo(404);
        // /v1/embeddings checks the model before running it
        Reply embed = server.post("/v1/embeddings", key, "{\"model\": \"named-one\", \"input\": \"x\"}");
        assertThat(embed.status()).as(embed.body()).isEqualTo(422);
        assertThat(embed.json().get("error").asText()).contains("is not an embedding model");
        assertThat(tagged.runs.get()).as("nothing was run").isEqualTo(runsBefore);
    }

    @Test
    void workerSecondsBilledMatchTheMeasuredUpTimeAndDeleteStopsBilling() throws Exception {
        billedWorkerSecondsMatchUpTime(server, key, accountId);
    }

    /** Also run on PostgreSQL by {@link EndpointsPostgresIT}. */
    static void billedWorkerSecondsMatchUpTime(HearthServer server, String key, String accountId) throws Exception {
        Balance before = server.app.ledger.balance(accountId);
        long t0 = System.currentTimeMillis();
        String id = addOk(server, key, """
                {"endpoint_name": "billed-one", "model_name": "tagged", "workers_min": 2, "workers_max": 2}""").get("endpoint_id").asText();
        Thread.sleep(4500);
        JsonNode live = endpoint(server, key, "billed-one");
        assertThat(live.get("worker_seconds_billed").asDouble()).as("charged tick by tick while up").isGreaterThan(4.0);
        // the workers' up-time as the server metered it just before the delete: the bill cannot be less
        double meteredBeforeDelete = endpoint(server, key, "billed-one").get("worker_seconds").asDouble();
        Reply del = server.send("DELETE", "/endpoint/delete", key, "application/json", "{\"endpoint_name\": \"billed-one\"}");
        long upMillis = 2 * (System.currentTimeMillis() - t0);
        assertThat(del.status()).as(del.body()).isEqualTo(200);
        assertThat(del.json().get("endpoint_id").asText()).isEqualTo(id);
        double billedSeconds = del.json().get("worker_seconds_billed").asDouble();
        System.out.printf("endpoint billing: %.3f worker-s billed, %.3f worker-s between add and delete as the client saw them%n",
                billedSeconds, upMillis / 1000.0);
        // 2 workers up from the add to the delete: billed is at least what was metered before the delete and at most
        // the time the client saw between the add and the delete's answer. (Not "the client's time less a tick": on a
        // loaded machine the scaler may start the workers well after the add has answered, and they are billed from
        // their start.)
        assertThat(billedSeconds).isBetween(meteredBeforeDelete - 0.001, upMillis / 1000.0 + 0.001);
        assertThat(meteredBeforeDelete).as("both workers were up for more than half the 4.5 s").isGreaterThan(2 * 4.5 - 4.0);
        BigDecimal amount = new BigDecimal(del.json().get("amount_billed").asText());
        // $36 per worker-hour = $0.01 per worker-second
        assertThat(amount).isCloseTo(new BigDecimal(billedSeconds).multiply(new BigDecimal("0.01")), org.assertj.core.data.Offset.offset(new BigDecimal("0.0001")));

        Balance after = server.app.ledger.balance(accountId);
        assertThat(Money.toUsd(before.total() - after.total())).isEqualByComparingTo(amount);
        assertThat(after.held()).as("no hold left after the delete").isZero();
        assertThat(server.app.ledger.ledgerSum(accountId)).isEqualTo(after.total());
        server.app.usage().flush();
        JsonNode rows = server.get("/v1/usage?model=billed-one", key).json().get("rows");
        assertThat(rows.get(0).get("amount").decimalValue()).isEqualByComparingTo(amount);
        assertThat(rows.get(0).get("inferences").asLong()).isZero();

        // deleted: no more charges, no workers, the name answers 404
        Thread.sleep(2500);
        assertThat(server.app.ledger.balance(accountId).total()).isEqualTo(after.total());
        assertThat(endpoint(server, key, "billed-one")).isNull();
        assertThat(server.post("/v1/billed-one", key, "{}").status()).isEqualTo(404);
    }

    @Test
    void anAccountThatCannotPayTheNextTickIsSuspendedAndScaledToZero() {
        JsonNode poor = server.createAccount("poor", "pro", "0.05");
        String poorKey = poor.get("api_key").asText();
        String poorId = poor.get("account_id").asText();
        addOk(poorKey, "{\"endpoint_name\": \"poor-one\", \"model_name\": \"tagged\", \"workers_min\": 1, \"workers_max\": 1}");
        await().atMost(Duration.ofSeconds(15)).until(() -> "suspended".equals(endpoint(poorKey, "poor-one").get("status").asText()));
        await().atMost(Duration.ofSeconds(5)).until(() -> endpoint(poorKey, "poor-one").get("workers").isEmpty());
        Reply r = call(poorKey, "poor-one", 0);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().get("error").asText()).contains("suspended");
        assertThat(endpoint(poorKey, "poor-one").get("status_detail").asText()).contains("could not pay");
        Balance b = server.app.ledger.balance(poorId);
        assertThat(b.total()).isNotNegative();
        assertThat(b.held()).isZero();
        assertThat(server.app.ledger.ledgerSum(poorId)).isEqualTo(b.total());
        assertThat(endpoint(poorKey, "poor-one").get("worker_seconds_billed").asDouble()).isPositive();
    }

    @Test
    void anAccountSuspendedByTheOperatorHasItsWorkersStoppedAndUnbilledUntilUnsuspended() throws Exception {
        String id = addOk(key, "{\"endpoint_name\": \"held-one\", \"model_name\": \"tagged\", \"workers_min\": 1, \"workers_max\": 1}")
                .get("endpoint_id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> "ready".equals(endpoint(key, "held-one").get("status").asText()));
        String first = instanceOf(call(key, "held-one", 0));

        Reply s = server.post("/admin/accounts/" + accountId + "/suspend", HearthServer.ADMIN_KEY, "{}");
        assertThat(s.status()).as(s.body()).isEqualTo(200);
        assertThat(call(key, "held-one", 0).status()).isEqualTo(403);
        // within a reconcile (2 s) the worker stops, and the endpoint says why
        await().atMost(Duration.ofSeconds(10)).until(() -> tagged.closed.contains(first));
        await().atMost(Duration.ofSeconds(5)).until(() -> "suspended".equals(storedStatus(id)[0]));
        assertThat(storedStatus(id)[1]).contains("suspended by the operator");
        // the time up to the stop is charged, then nothing: no hold, no charge over several 1 s ticks
        await().atMost(Duration.ofSeconds(5)).until(() -> balance().held() == 0);
        Balance stopped = balance();
        long entries = ledgerEntries();
        Thread.sleep(3_000);
        assertThat(balance()).isEqualTo(stopped);
        assertThat(ledgerEntries()).isEqualTo(entries);
        assertThat(server.app.ledger.ledgerSum(accountId)).isEqualTo(stopped.total());

        Reply u = server.post("/admin/accounts/" + accountId + "/unsuspend", HearthServer.ADMIN_KEY, "{}");
        assertThat(u.status()).as(u.body()).isEqualTo(200);
        // back to workers_min on its own, billed again
        await().atMost(Duration.ofSeconds(10)).until(() -> "ready".equals(endpoint(key, "held-one").get("status").asText()));
        assertThat(endpoint(key, "held-one").get("workers")).hasSize(1);
        assertThat(endpoint(key, "held-one").has("status_detail")).isFalse();
        assertThat(instanceOf(call(key, "held-one", 0))).isNotEqualTo(first);
        await().atMost(Duration.ofSeconds(5)).until(() -> balance().total() < stopped.total());
        server.send("DELETE", "/endpoint/delete", key, "application/json", "{\"endpoint_name\": \"held-one\"}");
    }

    String[] storedStatus(String endpointId) {
        return server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT status, status_detail FROM endpoints WHERE id = :id")
                .bind("id", endpointId).map((rs, c) -> new String[]{rs.getString(1), rs.getString(2)}).one());
    }

    long ledgerEntries() {
        return server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ledger_entries WHERE account_id = :a")
                .bind("a", accountId).mapTo(Long.class).one());
    }

    @Test
    void invalidSettingsAre422NamingTheFieldAndCreateNothing() {
        String[][] cases = {
                {"{\"endpoint_name\": \"x1\", \"model_name\": \"tagged\", \"workers_max\": 11}", "workers_max"},
                {"{\"endpoint_name\": \"x1\", \"model_name\": \"tagged\", \"workers_max\": 0}", "workers_max"},
                {"{\"endpoint_name\": \"x1\", \"model_name\": \"tagged\", \"workers_min\": 3, \"workers_max\": 2}", "workers_min"},
                {"{\"endpoint_name\": \"tagged\", \"model_name\": \"tagged\"}", "endpoint_name"},
                {"{\"endpoint_name\": \"usage\", \"model_name\": \"tagged\"}", "endpoint_name"},
                {"{\"endpoint_name\": \"Not A Slug\", \"model_name\": \"tagged\"}", "endpoint_name"},
                {"{\"model_name\": \"tagged\"}", "endpoint_name"},
                {"{\"endpoint_name\": \"x1\", \"model_name\": \"no-such-model\"}", "model_name"},
                {"{\"endpoint_name\": \"x1\"}", "model_name"},
                {"{\"endpoint_name\": \"x1\", \"model_name\": \"shared-cog\"}", "model_name"},
                {"{\"endpoint_name\": \"x1\", \"model_name\": \"tagged\", \"gpu_id\": \"Z9000\"}", "gpu_id"},
                {"{\"endpoint_name\": \"x1\", \"model_name\": \"tagged\", \"scaler_type\": \"QUEUE_DELAY\"}", "scaler_type"},
                {"{\"endpoint_name\": \"x1\", \"model_name\": \"tagged\", \"scaler_value\": 0}", "scaler_value"},
                {"{\"endpoint_name\": \"x1\", \"model_name\": \"tagged\", \"idle_timeout\": \"soon\"}", "idle_timeout"},
        };
        for (String[] c : cases) {
            Reply r = add(key, c[0]);
            assertThat(r.status()).as(c[0] + " → " + r.body()).isEqualTo(422);
            assertThat(r.json().get("error").asText()).as(c[0]).contains("$." + c[1]);
        }
        assertThat(endpoints(key)).isEmpty();
        // not JSON, no body, wrong method: nothing is created either
        assertThat(add(key, "not json").status()).isEqualTo(400);
        assertThat(server.send("POST", "/endpoint/add", key, "application/json", null).status()).isEqualTo(400);
        Reply wrong = server.send("GET", "/endpoint/add", key, null, null);
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.json().get("error").asText()).contains("POST");
        assertThat(server.send("POST", "/endpoint/list", key, "application/json", "{}").status()).isEqualTo(405);
        assertThat(server.send("POST", "/endpoint/delete", key, "application/json", "{\"endpoint_name\": \"x1\"}").status()).isEqualTo(405);
        assertThat(endpoints(key)).isEmpty();

        // a duplicate name, and an update to invalid settings, change nothing
        addOk(key, "{\"endpoint_name\": \"x1\", \"model_name\": \"tagged\"}");
        Reply dup = add(key, "{\"endpoint_name\": \"x1\", \"model_name\": \"tagged\", \"workers_max\": 2}");
        assertThat(dup.status()).isEqualTo(422);
        assertThat(dup.json().get("error").asText()).contains("$.endpoint_name");
        Reply bad = server.send("PUT", "/endpoint/update", key, "application/json", "{\"endpoint_name\": \"x1\", \"workers_max\": 12}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(endpoints(key)).hasSize(1);
        assertThat(endpoint(key, "x1").get("workers_max").asInt()).isEqualTo(1);
        Reply unnamed = server.send("PUT", "/endpoint/update", key, "application/json", "{\"workers_max\": 2}");
        assertThat(unnamed.status()).isEqualTo(422);
        assertThat(unnamed.json().get("error").asText()).contains("endpoint_id");

        // a valid update applies
        Reply ok = server.send("PUT", "/endpoint/update", key, "application/json", "{\"endpoint_name\": \"x1\", \"workers_max\": 4}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(endpoint(key, "x1").get("workers_max").asInt()).isEqualTo(4);
    }

    /**
     * A test-only runner type whose every booted instance has its own id and answers with it, so a test can tell
     * which worker ran a call. It checks plumbing; it is never offered as a model.
     */
    static final class TaggedRunners implements RunnerFactory {
        final AtomicInteger boots = new AtomicInteger();
        final AtomicInteger runs = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicReference<String> lastBooted = new java.util.concurrent.atomic.AtomicReference<>();
        final Set<String> closed = ConcurrentHashMap.newKeySet();

        @Override
        public String type() {
            return "tagged";
        }

        @Override
        public Runner boot(dev.hearth.runners.RunnerSpec spec, dev.hearth.runners.BootProgress progress) throws Exception {
            Thread.sleep(Long.parseLong(spec.text("boot_millis", "0")));
            String id = "instance-" + boots.incrementAndGet();
            lastBooted.set(id);
            return new Runner() {
                @Override
                public RunOutput run(dev.hearth.runners.RunInput input) throws Exception {
                    runs.incrementAndGet();
                    Thread.sleep(input.params().path("millis").asLong(0));
                    return new RunOutput.Json(Json.object().put("instance", id), 0);
                }

                @Override
                public void close() {
                    closed.add(id);
                }
            };
        }

        static Path catalogDir() throws IOException {
            Path dir = Files.createTempDirectory("hearth-catalog");
            Files.writeString(dir.resolve("tagged.yaml"), """
                    slug: tagged
                    title: tagged (test only)
                    category: test
                    pricing: {type: per_call, price: 0.01}
                    runner: {type: tagged}
                    scaling: {execution_timeout: 30, idle_timeout: 300, slots: 1}
                    input_schema:
                      type: object
                      properties:
                        millis: {type: integer}
                    """);
            Files.writeString(dir.resolve("tagged-slow-boot.yaml"), """
                    slug: tagged-slow-boot
                    title: tagged, slow boot (test only)
                    category: test
                    pricing: {type: per_call, price: 0.01}
                    runner: {type: tagged, boot_millis: 1000}
                    scaling: {execution_timeout: 30, idle_timeout: 300, slots: 1}
                    input_schema:
                      type: object
                      properties:
                        millis: {type: integer}
                    """);
            // a model on a shared remote server: no worker of it can be dedicated to an endpoint
            Files.writeString(dir.resolve("shared-cog.yaml"), """
                    slug: shared-cog
                    pricing: {type: per_call, price: 0.01}
                    runner: {type: cog, url: "http://127.0.0.1:9"}
                    input_schema: {type: object}
                    """);
            return dir;
        }
    }
}
