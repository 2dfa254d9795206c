package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.TestDatabases;
import dev.hearth.http.Json;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A workflow run survives a restart: stopped while its second model node runs, it resumes at the next start
 * from its finished first node, which is neither run nor charged again; the run costs the sum of its nodes once.
 * On SQLite and on PostgreSQL (skipped loudly without one, outside CI).
 */
class WorkflowRestartIT {

    static final String SLOW_CHAIN = """
            {"nodes": [
              {"id": "prompt", "type": "input", "name": "prompt", "params": {"type": "text"}},
              {"id": "first", "type": "model", "model": "wf-echo", "params": {}},
              {"id": "second", "type": "model", "model": "wf-sleeps", "params": {"millis": 4000}},
              {"id": "result", "type": "output", "name": "result", "params": {}}
            ],
            "edges": [
              {"from": "prompt.value", "to": "first.text"},
              {"from": "first.output", "to": "second.data"},
              {"from": "second.output", "to": "result.value"}
            ]}
            """;

    @Test
    void onSqlite() throws Exception {
        resumesAfterARestart(HearthServer.Store.SQLITE);
    }

    @Test
    void onPostgresql() throws Exception {
        TestDatabases.requirePostgres();
        resumesAfterARestart(HearthServer.Store.POSTGRESQL);
    }

    private void resumesAfterARestart(HearthServer.Store store) throws IOException {
        // no drain time: the stop interrupts the running node at once, as a deploy that cannot wait would
        HearthServer server = HearthServer.start(store, Map.of("catalog.dir", WorkflowsIT.catalogDir().toString(), "jobs.drain_timeout", "0"),
                Map.of("scripted", new ScriptedRunners()));
        try {
            JsonNode acc = server.createAccount("restarts", "pro", "1");
            String key = acc.get("api_key").asText();
            String accountId = acc.get("account_id").asText();
            ObjectNode body = Json.object().put("name", "slow chain").put("publish", true);
            body.set("graph", Json.MAPPER.readTree(SLOW_CHAIN));
            Reply saved = server.post("/v1/workflows", key, body);
            assertThat(saved.status()).as(saved.body()).isEqualTo(200);
            String ref = saved.json().get("workflow_id").asText() + "-v1";
            long before = server.app.ledger.balance(accountId).total();

            Reply started = server.post("/workflows/" + ref, key, Json.object().put("prompt", "survive"));
            assertThat(started.status()).as(started.body()).isEqualTo(200);
            String runId = started.json().get("request_id").asText();
            HearthServer s0 = server;
            await().atMost(Duration.ofSeconds(20)).until(() -> nodeStatus(s0, key, runId, "second").equals("running"));

            server = server.restart();

            HearthServer s1 = server;
            await().atMost(Duration.ofSeconds(60)).until(() -> s1.get("/workflows/request/" + runId, key).json().get("status").asText().equals("COMPLETED"));
            JsonNode run = server.get("/workflows/request/" + runId, key).json();
            assertThat(Json.MAPPER.readTree(run.get("output").asText()).get(0).get("value").get("data").asText()).contains("slept");
            assertThat(new BigDecimal(run.get("cost").asText())).isEqualByComparingTo("0.02");

            // the first node was charged once and not run again; the second was charged once, for the run that answered
            List<String> charged = server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT request_id FROM ledger_entries WHERE kind = 'charge' "
                    + "AND account_id = :a ORDER BY request_id").bind("a", accountId).mapTo(String.class).list());
            assertThat(charged).containsExactly(runId + "-first", runId + "-second-1");
            assertThat(server.app.ledger.balance(accountId).total()).isEqualTo(before - 20_000_000L);
            assertThat(server.app.ledger.balance(accountId).held()).isZero();

            // the templates were installed once: a restart finds them and adds none
            String list = server.get("/v1/workflows", key).body();
            List<String> shipped = List.of(dev.hearth.workflows.Templates.EMBED_AND_COMPARE, dev.hearth.workflows.Templates.UPSCALE_THEN_OCR,
                    dev.hearth.workflows.Templates.READ_ALOUD, dev.hearth.workflows.Templates.CUT_OUT_THEN_UPSCALE,
                    dev.hearth.workflows.Templates.SPEAK_THEN_TRANSCRIBE);
            for (String t : shipped) {
                assertThat(list.split(t, -1)).hasSize(2);
            }
            int templates = server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM workflows WHERE is_template = 1")
                    .mapTo(Integer.class).one());
            assertThat(templates).isEqualTo(shipped.size());
        } finally {
            server.close();
        }
    }

    /**
     * A node charged just before a crash, whose result never reached the run's table, is not run again: the ledger
     * already has its charge, so the resumed run fails naming it instead of charging twice.
     */
    @Test
    void aNodeChargedButNotRecordedBeforeTheStopIsNeverChargedTwice() throws Exception {
        HearthServer server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", WorkflowsIT.catalogDir().toString(),
                "jobs.drain_timeout", "0"), Map.of("scripted", new ScriptedRunners()));
        try {
            JsonNode acc = server.createAccount("lost results", "pro", "1");
            String key = acc.get("api_key").asText();
            ObjectNode body = Json.object().put("name", "slow chain").put("publish", true);
            body.set("graph", Json.MAPPER.readTree(SLOW_CHAIN));
            String ref = server.post("/v1/workflows", key, body).json().get("workflow_id").asText() + "-v1";
            String runId = server.post("/workflows/" + ref, key, Json.object().put("prompt", "x")).json().get("request_id").asText();
            HearthServer s0 = server;
            await().atMost(Duration.ofSeconds(20)).until(() -> nodeStatus(s0, key, runId, "second").equals("running"));
            // what a crash between the charge and the node's row would leave: the first node charged, its row still running
            server.app.db.jdbi().useHandle(h -> h.createUpdate("UPDATE workflow_run_nodes SET status = 'running', outputs = NULL "
                    + "WHERE run_id = :r AND node_id = 'first'").bind("r", runId).execute());

            server = server.restart();

            HearthServer s1 = server;
            await().atMost(Duration.ofSeconds(30)).until(() -> s1.get("/workflows/request/" + runId, key).json().get("status").asText().equals("FAILED"));
            JsonNode run = server.get("/workflows/request/" + runId, key).json();
            assertThat(run.get("error").asText()).contains("node 'first'", "charged before Hearth restarted");
            List<String> charged = server.app.db.jdbi().withHandle(h -> h.createQuery("SELECT request_id FROM ledger_entries WHERE kind = 'charge' "
                    + "AND account_id = :a").bind("a", acc.get("account_id").asText()).mapTo(String.class).list());
            assertThat(charged).containsExactly(runId + "-first");
        } finally {
            server.close();
        }
    }

    private static String nodeStatus(HearthServer server, String key, String runId, String nodeId) {
        for (JsonNode n : server.get("/workflows/request/" + runId, key).json().get("nodes")) {
            if (n.get("id").asText().equals(nodeId)) return n.get("status").asText();
        }
        return "";
    }
}
