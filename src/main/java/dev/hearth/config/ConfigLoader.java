package dev.hearth.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Builds the configuration tree in three layers: the defaults shipped in the jar, the operator's YAML file,
 * then {@code HEARTH_*} environment variables. Environment names are matched against the keys that exist,
 * longest key first, so {@code HEARTH_SERVER_PUBLIC_URL} finds {@code server.public_url} even though both
 * the path separator and the key contain underscores. Unknown variables are ignored.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    public static HearthConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        ObjectNode tree = defaults();
        if (file != null) {
            try {
                JsonNode user = YAML.readTree(file.toFile());
                if (user != null && !user.isMissingNode() && !user.isNull()) {
                    if (!user.isObject()) throw new IllegalArgumentException("config file " + file + " must be a YAML mapping");
                    merge(tree, (ObjectNode) user);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
            }
        }
        env.forEach((name, value) -> {
            if (name.startsWith("HEARTH_")) applyEnv(tree, name.substring("HEARTH_".length()).toLowerCase().split("_"), value);
        });
        overrides.forEach((path, value) -> set(tree, path.split("\\."), value));
        nameThisNode(tree);
        return HearthConfig.from(tree);
    }

    /**
     * An empty {@code jobs.node_id} becomes a name of this process alone (host name plus random suffix), so two
     * processes started from one configuration never share one: each owns only the jobs it leases.
     */
    private static void nameThisNode(ObjectNode tree) {
        ObjectNode jobs = tree.with("jobs");
        if (!jobs.path("node_id").asText("").isBlank()) return;
        // HOSTNAME is the pod name under Kubernetes; a DNS lookup of the host could stall a start
        String host = System.getenv().getOrDefault("HOSTNAME", "hearth");
        byte[] r = new byte[4];
        new java.security.SecureRandom().nextBytes(r);
        jobs.put("node_id", host.replaceAll("[^A-Za-z0-9.-]", "").replaceAll("^$", "hearth") + "-" + java.util.HexFormat.of().formatHex(r));
    }

    public static ObjectNode defaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/hearth-defaults.yaml")) {
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("hearth-defaults.yaml missing from the jar", e);
        }
    }

    static void merge(ObjectNode into, ObjectNode from) {
        for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode obj && e.getValue() instanceof ObjectNode sub) merge(obj, sub);
            else into.set(e.getKey(), e.getValue());
        }
    }

    private static void applyEnv(ObjectNode node, String[] parts, String value) {
        for (int take = parts.length; take >= 1; take--) {
            String key = String.join("_", Arrays.copyOfRange(parts, 0, take));
            if (!node.has(key)) continue;
            if (take == parts.length) {
                node.set(key, TextNode.valueOf(value));
                return;
            }
            if (node.get(key) instanceof ObjectNode child) {
                applyEnv(child, Arrays.copyOfRange(parts, take, parts.length), value);
                return;
            }
        }
    }

    private static void set(ObjectNode node, String[] path, String value) {
        ObjectNode at = node;
        for (int i = 0; i < path.length - 1; i++) at = at.with(path[i]);
        at.set(path[path.length - 1], TextNode.valueOf(value));
    }
}
