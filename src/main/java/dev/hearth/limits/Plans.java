package dev.hearth.limits;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.config.HearthConfig;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The plans configured under {@code plans:}, checked at startup so a typo fails there and not on a call. */
public final class Plans {

    private final Map<String, Plan> byName;

    Plans(Map<String, Plan> byName) {
        if (byName.isEmpty()) throw new IllegalArgumentException("no plans configured: the plans: section is empty");
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    }

    public static Plans fromConfig(HearthConfig cfg) {
        return parse(cfg.section("plans"), LimitsConfig.from(cfg).readRequestsPerMinute());
    }

    static Plans parse(JsonNode section, long defaultReadsPerMinute) {
        Map<String, Plan> plans = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = "plans." + e.getKey();
            JsonNode n = e.getValue();
            if (!n.isObject()) throw new IllegalArgumentException(p + " must be a mapping with requests_per_minute, concurrent_jobs and paid");
            long reads = n.has("read_requests_per_minute")
                    ? ConfigValues.positiveLong(n.get("read_requests_per_minute"), p + ".read_requests_per_minute", LimitsConfig.MAX_PER_MINUTE)
                    : defaultReadsPerMinute;
            plans.put(e.getKey(), new Plan(e.getKey(),
                    ConfigValues.positiveLong(n.path("requests_per_minute"), p + ".requests_per_minute", LimitsConfig.MAX_PER_MINUTE),
                    reads,
                    (int) ConfigValues.positiveLong(n.path("concurrent_jobs"), p + ".concurrent_jobs", 1_000_000),
                    ConfigValues.bool(n.path("paid"), p + ".paid")));
        }
        return new Plans(plans);
    }

    /** The plan of that name, or null when it is not configured. */
    public Plan find(String name) {
        return byName.get(name);
    }

    public Set<String> names() {
        return byName.keySet();
    }

    public List<String> paidNames() {
        return byName.values().stream().filter(Plan::paid).map(Plan::name).toList();
    }
}
