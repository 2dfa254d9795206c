package dev.hearth.usage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Accounts;
import dev.hearth.billing.Balance;
import dev.hearth.billing.Ledger;
import dev.hearth.billing.Money;
import dev.hearth.http.ApiException;
import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.Replies;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;

import java.time.Clock;
import java.util.List;

/**
 * {@code GET /v1/usage?from=&to=&model=} (SPEC §7) for the caller's own account, and {@code GET /admin/usage}
 * for the operator: one account ({@code account_id=}) in the same shape, or all accounts. Dates are UTC days;
 * the default range is the 30 days ending today. Reads wait for usage records still being written, so a call
 * that just answered is already counted.
 */
public final class UsageRoutes implements HttpService {

    static final int DEFAULT_DAYS = 30;
    /** How long a read waits for pending usage records before answering with what is committed. */
    static final long FRESHNESS_WAIT_MILLIS = 2_000;

    private final Caller caller;
    private final UsageReports reports;
    private final UsageRecorder recorder;
    private final Ledger ledger;
    private final Accounts accounts;
    private final Clock clock;

    public UsageRoutes(Caller caller, UsageReports reports, UsageRecorder recorder, Ledger ledger, Accounts accounts, Clock clock) {
        this.caller = caller;
        this.reports = reports;
        this.recorder = recorder;
        this.ledger = ledger;
        this.accounts = accounts;
        this.clock = clock;
    }

    /** The query of a usage read, validated. */
    record Range(long from, long to, String model) {
        static Range of(ServerRequest req, long today) {
            var q = req.query();
            long to = UsageDays.parse("to", q.first("to").orElse(null), today);
            long from = UsageDays.parse("from", q.first("from").orElse(null), to - (DEFAULT_DAYS - 1));
            if (from > to) throw ApiException.invalid("from: " + UsageDays.format(from) + " is after to: " + UsageDays.format(to));
            String model = q.first("model").map(String::trim).filter(m -> !m.isEmpty()).orElse(null);
            if (model != null && model.length() > 200) throw ApiException.invalid("model: at most 200 characters");
            return new Range(from, to, model);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/usage", (req, res) -> {
            var p = caller.of(req);
            if (p.admin()) throw ApiException.forbidden("GET /v1/usage reports the caller's account; the admin key reads usage at GET /admin/usage?account_id=");
            Range range = Range.of(req, today());
            recorder.awaitWritten(FRESHNESS_WAIT_MILLIS);
            Replies.ok(res, accountReport(p.accountId(), range, false));
        });
        rules.get("/admin/usage", (req, res) -> {
            caller.admin(req);
            Range range = Range.of(req, today());
            String accountId = req.query().first("account_id").map(String::trim).filter(a -> !a.isEmpty()).orElse(null);
            if (accountId != null) accounts.require(accountId);
            recorder.awaitWritten(FRESHNESS_WAIT_MILLIS);
            Replies.ok(res, accountId != null ? accountReport(accountId, range, true).put("account_id", accountId) : allAccounts(range));
        });
    }

    private long today() {
        return UsageDays.dayOf(clock.millis());
    }

    private ObjectNode accountReport(String accountId, Range range, boolean withFailures) {
        Balance b = ledger.balance(accountId);
        ObjectNode n = Json.object()
                .put("credits", Money.toUsd(b.paid()))
                .put("free-credits", Money.toUsd(b.free()))
                .put("requests_today", reports.inferences(accountId, today()))
                .put("requests_total", reports.inferences(accountId, null))
                .put("from", UsageDays.format(range.from()))
                .put("to", UsageDays.format(range.to()));
        n.set("rows", rows(reports.rows(accountId, range.from(), range.to(), range.model()), withFailures));
        return n;
    }

    private ObjectNode allAccounts(Range range) {
        ObjectNode n = Json.object()
                .put("requests_today", reports.inferences(null, today()))
                .put("requests_total", reports.inferences(null, null))
                .put("from", UsageDays.format(range.from()))
                .put("to", UsageDays.format(range.to()));
        n.set("rows", rows(reports.rows(null, range.from(), range.to(), range.model()), true));
        ArrayNode top = n.putArray("accounts");
        for (UsageReports.AccountTotal a : reports.accounts(range.from(), range.to(), range.model(), 100)) {
            top.add(Json.object().put("account_id", a.accountId()).put("inferences", a.inferences())
                    .put("failed", a.failed()).put("amount", Money.toUsd(a.amount())));
        }
        return n;
    }

    private static ArrayNode rows(List<UsageReports.Row> rows, boolean withFailures) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (UsageReports.Row r : rows) {
            // an account sees what it was billed for; days with only failed calls matter to the operator
            if (!withFailures && r.inferences() == 0 && r.amount() == 0) continue;
            ObjectNode o = out.addObject().put("date", UsageDays.format(r.day())).put("model", r.model())
                    .put("inferences", r.inferences()).put("amount", Money.toUsd(r.amount()));
            if (withFailures) o.put("failed", r.failed());
        }
        return out;
    }
}
