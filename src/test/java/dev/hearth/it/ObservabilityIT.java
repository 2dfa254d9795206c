package dev.hearth.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /metrics} (who may read it, and that it carries the series after a call), the access log (one
 * line per request with request id, account and model, never the key) and the dashboard's security headers,
 * over real HTTP.
 */
class ObservabilityIT {

    private static final String TOKEN = "scrape-token-for-tests-0123456789";
    static HearthServer server;
    static String key;
    static String accountId;
    static ListAppender<ILoggingEvent> access;

    @BeforeAll
    static void start() throws IOException {
        access = new ListAppender<>();
        access.start();
        ((Logger) LoggerFactory.getLogger("hearth.access")).addAppender(access);
        server = HearthServer.start(HearthServer.Store.SQLITE,
                Map.of("catalog.dir", ScriptedRunners.catalogDir().toString(), "metrics.scrape_token", TOKEN),
                Map.of("scripted", new ScriptedRunners()));
        JsonNode acc = server.createAccount("observed", "pro", "1");
        key = acc.get("api_key").asText();
        accountId = acc.get("account_id").asText();
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger("hearth.access")).detachAppender(access);
        server.close();
    }

    private static Reply withBearer(String path, String token) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.base + path))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value of one sample line, e.g. {@code hearth_model_state{model="x",state="warm"}}; null when absent. */
    private static Double sample(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : null;
    }

    @Test
    void metricsNeedTheAdminKeyOrTheScrapeToken() {
        assertThat(server.get("/metrics", null).status()).isEqualTo(401);
        assertThat(server.get("/metrics", key).status()).isEqualTo(403);
        assertThat(withBearer("/metrics", "not-the-token").status()).isEqualTo(401);
        Reply admin = server.get("/metrics", HearthServer.ADMIN_KEY);
        assertThat(admin.status()).isEqualTo(200);
        assertThat(admin.header("content-type")).startsWith("text/plain; version=0.0.4");
        Reply scraper = withBearer("/metrics", TOKEN);
        assertThat(scraper.status()).isEqualTo(200);
        assertThat(scraper.body()).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_uptime_seconds",
                "hearth_usage_pending", "hearth_ledger_balance_usd{kind=\"free\"}", "hearth_accounts{status=\"active\"}");
    }

    @Test
    void afterACallTheMetricsShowTheRequestTheWarmModelAndTheCharge() {
        String before = server.get("/metrics", HearthServer.ADMIN_KEY).body();
        // a model nobody called is cold
        assertThat(sample(before, "hearth_model_state{model=\"all-minilm-l6-v2\",state=\"cold\"}")).isEqualTo(1.0);

        Reply call = server.post("/v1/scripted-echo", key, "{}");
        assertThat(call.status()).isEqualTo(200);
        String after = withBearer("/metrics", TOKEN).body();
        assertThat(sample(after, "hearth_http_requests_total{code=\"200\",method=\"POST\",route=\"/v1/{slug}\"}")).isGreaterThanOrEqualTo(1.0);
        assertThat(sample(after, "hearth_http_request_seconds_count{route=\"/v1/{slug}\"}")).isGreaterThanOrEqualTo(1.0);
        assertThat(sample(after, "hearth_model_state{model=\"scripted-echo\",state=\"warm\"}")).isEqualTo(1.0);
        assertThat(sample(after, "hearth_model_state{model=\"scripted-echo\",state=\"cold\"}")).isEqualTo(0.0);
        assertThat(sample(after, "hearth_model_instances{model=\"scripted-echo\"}")).isEqualTo(1.0);
        assertThat(sample(after, "hearth_model_queued{model=\"scripted-echo\"}")).isEqualTo(0.0);
        // the ledger totals (cached for a few seconds) catch up with the ledger itself, this call's charge included
        long charges = server.app.db.jdbi().withHandle(h -> h.createQuery(
                "SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE kind = 'charge'").mapTo(Long.class).one());
        assertThat(charges).isLessThanOrEqualTo(-10_000_000L);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
            Double shown = sample(server.get("/metrics", HearthServer.ADMIN_KEY).body(), "hearth_ledger_amount_usd{kind=\"charge\"}");
            assertThat(shown).isCloseTo(charges / 1e9, org.assertj.core.data.Offset.offset(1e-9));
        });
        // routes are labelled by pattern, never by raw path
        assertThat(after).doesNotContain("route=\"/v1/scripted-echo\"");
    }

    @Test
    void everyRequestGetsOneAccessLineWithIdsAndTimingsButNeverTheKey() {
        Reply call = server.post("/v1/scripted-echo", key, "{}");
        assertThat(call.status()).isEqualTo(200);
        String requestId = call.header("x-request-id");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> line(requestId) != null);
        Map<String, Object> kv = line(requestId);
        assertThat(kv).containsEntry("account_id", accountId).containsEntry("model", "scripted-echo").containsEntry("status", 200)
                .containsEntry("method", "POST").containsEntry("path", "/v1/scripted-echo").containsKeys("key_id", "duration_ms", "queue_ms", "processing_ms");

        Reply refused = server.post("/v1/scripted-echo", "SG_" + "z".repeat(32), "{}");
        assertThat(refused.status()).isEqualTo(401);
        server.get("/health/live", null);
        List<ILoggingEvent> events = List.copyOf(access.list);
        for (ILoggingEvent e : events) {
            assertThat(e.getFormattedMessage() + e.getKeyValuePairs()).doesNotContain(key).doesNotContain("SG_zzz");
        }
        assertThat(events).noneMatch(e -> e.getFormattedMessage().contains("/health/live"));
        assertThat(events).anyMatch(e -> e.getFormattedMessage().equals("POST /v1/scripted-echo 401"));
    }

    private static Map<String, Object> line(String requestId) {
        for (ILoggingEvent e : List.copyOf(access.list)) {
            Map<String, Object> kv = new HashMap<>();
            if (e.getKeyValuePairs() == null) continue;
            for (KeyValuePair p : e.getKeyValuePairs()) kv.put(p.key, p.value);
            if (requestId.equals(kv.get("request_id"))) return kv;
        }
        return null;
    }

    @Test
    void theDashboardIsServedWithAStrictContentSecurityPolicyAndNoInlineScript() {
        Reply page = server.get("/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("content-type")).startsWith("text/html");
        String csp = page.header("content-security-policy");
        assertThat(csp).contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(page.header("x-content-type-options")).isEqualTo("nosniff");
        // every script is a file of this origin
        assertThat(page.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=\"/ui/)").doesNotContainPattern("\\son[a-z]+=");
        Reply js = server.get("/ui/app.js", null);
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.header("content-type")).contains("javascript");
        assertThat(js.header("content-security-policy")).isEqualTo(csp);
        assertThat(server.get("/ui/style.css", null).header("content-type")).startsWith("text/css");
        Reply missing = server.get("/ui/nope.js", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").asText()).isNotBlank();
        assertThat(server.get("/ui/../hearth-defaults.yaml", null).status()).isEqualTo(404);
    }
}
