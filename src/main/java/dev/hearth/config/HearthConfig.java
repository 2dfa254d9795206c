package dev.hearth.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;

import java.math.BigDecimal;
import java.nio.file.Path;

/**
 * The typed view of the configuration tree. Environment variables arrive as strings, so numbers and booleans
 * are coerced from text when read here. {@code raw} keeps the whole tree for sections other packages own.
 */
public record HearthConfig(Server server, String dataDir, Database database, Admin admin, Billing billing,
                           Catalog catalog, Logging logging, Jobs jobs, JsonNode raw) {

    public record Server(String host, int port, String publicUrl, long maxBodyBytes) {
    }

    /**
     * {@code sqliteSynchronous} and {@code pgSynchronousCommit}: what a commit waits for, hence whether it survives
     * a power loss (a killed process never loses a commit either way); see docs/configuration.md.
     */
    public record Database(String url, String user, String password, String schema, int poolSize, String sqliteSynchronous,
                           String pgSynchronousCommit) {
    }

    public record Admin(String key) {
    }

    /** {@code ledgerCommit}: authority (calls' holds in memory, leader/follower group commit), grouped (a writer thread's group commit) or per_step. */
    public record Billing(BigDecimal freeCredits, String ledgerCommit) {
    }

    public record Catalog(String dir) {
    }

    /** {@code format}: text or json (JSON lines); {@code accessLog}: one line per request on logger hearth.access. */
    public record Logging(boolean storeParameters, String format, boolean accessLog) {
    }

    /**
     * {@code nodeId}: this process in the jobs table, never empty (see {@link ConfigLoader}); {@code leaseSeconds}: how
     * long its claim on its unfinished jobs lasts without renewal before another node takes them over.
     */
    public record Jobs(String nodeId, long recordTtl, long idempotentRecordTtl, long maxQueueWait, long drainTimeout, long leaseSeconds) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, true);

    static {
        MAPPER.coercionConfigDefaults().setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
    }

    static HearthConfig from(JsonNode tree) {
        try {
            Parsed p = MAPPER.treeToValue(tree, Parsed.class);
            return new HearthConfig(p.server, p.dataDir, p.database, p.admin, p.billing, p.catalog, p.logging, p.jobs, tree);
        } catch (Exception e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }

    private record Parsed(Server server, String dataDir, Database database, Admin admin, Billing billing,
                          Catalog catalog, Logging logging, Jobs jobs) {
    }

    public Path dataPath() {
        return Path.of(dataDir);
    }

    /** A config section other than the typed ones, e.g. {@code section("limits")}; missing node when absent. */
    public JsonNode section(String name) {
        return raw.path(name);
    }
}
