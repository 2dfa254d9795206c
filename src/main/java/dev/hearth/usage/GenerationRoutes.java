package dev.hearth.usage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.accounts.Principal;
import dev.hearth.http.AllowedMethods;
import dev.hearth.http.ApiException;
import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.Replies;
import dev.hearth.limits.Limits;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

/**
 * The generation routes of Segmind's Python SDK: {@code GET /inference-request/generations?page=&model_name=&start_date=&end_date=}
 * (the caller's model calls, newest first, {@value Generations#PAGE_SIZE} a page, with the total) and
 * {@code GET /inference-request/recent-generations?model_name=} (the latest {@value Generations#RECENT} of one
 * model). Both are reads (the read limit), see only the caller's account, and wait for usage records still
 * being written, so a call that has just answered is listed.
 */
public final class GenerationRoutes implements HttpService {

    /** Dates outside these years are refused: they name no generation and would overflow epoch milliseconds. */
    private static final long FIRST_DAY = LocalDate.of(1970, 1, 1).toEpochDay();
    private static final long LAST_DAY = LocalDate.of(9999, 12, 31).toEpochDay();

    private final Caller caller;
    private final Generations generations;
    private final UsageRecorder recorder;
    private final Limits limits;
    private final Clock clock;
    private final Duration outputRetention;

    /** {@code outputRetention}: how long stored outputs are kept, after which a generation no longer shows its URL. */
    public GenerationRoutes(Caller caller, Generations generations, UsageRecorder recorder, Limits limits, Clock clock, Duration outputRetention) {
        this.caller = caller;
        this.generations = generations;
        this.recorder = recorder;
        this.limits = limits;
        this.clock = clock;
        this.outputRetention = outputRetention;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/inference-request/generations", (req, res) -> {
            String account = account(req);
            int page = page(req);
            String model = model(req, false);
            Long from = day(req, "start_date");
            Long to = day(req, "end_date");
            if (from != null && to != null && from > to) {
                throw ApiException.invalid("start_date: " + UsageDays.format(from) + " is after end_date: " + UsageDays.format(to));
            }
            Generations.Filter filter = new Generations.Filter(account, model, from, to);
            recorder.awaitWritten(UsageRoutes.FRESHNESS_WAIT_MILLIS);
            long total = generations.count(filter);
            long pages = (total + Generations.PAGE_SIZE - 1) / Generations.PAGE_SIZE;
            if (page > 1 && page > pages) {
                throw ApiException.invalid("page: " + page + " is past the last page (" + pages + "); there "
                        + (total == 1 ? "is 1 generation" : "are " + total + " generations") + " at " + Generations.PAGE_SIZE + " a page");
            }
            ObjectNode reply = Json.object().put("page", page).put("page_size", Generations.PAGE_SIZE).put("total", total)
                    .put("total_pages", pages).put("model_name", model)
                    .put("start_date", from == null ? null : UsageDays.format(from))
                    .put("end_date", to == null ? null : UsageDays.format(to));
            reply.set("generations", list(generations.page(filter, (page - 1) * Generations.PAGE_SIZE, Generations.PAGE_SIZE)));
            Replies.ok(res, reply);
        });
        rules.get("/inference-request/recent-generations", (req, res) -> {
            String account = account(req);
            String model = model(req, true);
            recorder.awaitWritten(UsageRoutes.FRESHNESS_WAIT_MILLIS);
            ObjectNode reply = Json.object().put("model_name", model);
            reply.set("generations", list(generations.page(new Generations.Filter(account, model, null, null), 0, Generations.RECENT)));
            Replies.ok(res, reply);
        });
        AllowedMethods.only(rules, "/inference-request/generations", Method.GET);
        AllowedMethods.only(rules, "/inference-request/recent-generations", Method.GET);
    }

    private String account(ServerRequest req) {
        Principal p = caller.of(req);
        if (p.admin()) throw ApiException.forbidden("Generations are an account's own model calls: call with that account's API key");
        limits.admitRead(p.accountId());
        return p.accountId();
    }

    private ArrayNode list(List<UsageRecord> records) {
        long keptSince = clock.millis() - outputRetention.toMillis();
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (UsageRecord r : records) out.add(GenerationView.of(r, r.finishedAt() > keptSince));
        return out;
    }

    private static int page(ServerRequest req) {
        String v = req.query().first("page").map(String::trim).orElse("");
        if (v.isEmpty()) return 1;
        try {
            int page = Integer.parseInt(v);
            if (page >= 1) return page;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalid("page: '" + v + "' is not a page number; pages are whole numbers from 1");
    }

    private static String model(ServerRequest req, boolean required) {
        String m = req.query().first("model_name").map(String::trim).orElse("");
        if (m.isEmpty()) {
            if (required) throw ApiException.invalid("model_name: is required (the slug of the model whose latest generations to list)");
            return null;
        }
        if (m.length() > 200) throw ApiException.invalid("model_name: at most 200 characters");
        return m;
    }

    private Long day(ServerRequest req, String name) {
        String v = req.query().first(name).map(String::trim).orElse("");
        if (v.isEmpty()) return null;
        long day = UsageDays.parse(name, v, UsageDays.dayOf(clock.millis()));
        if (day < FIRST_DAY || day > LAST_DAY) throw ApiException.invalid(name + ": '" + v + "' is outside the years 1970 to 9999");
        return day;
    }
}
