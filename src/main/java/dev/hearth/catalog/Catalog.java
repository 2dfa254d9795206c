package dev.hearth.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hearth.http.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The models this Hearth serves: the YAML files shipped in the jar (listed in {@code models/index.txt}),
 * then those of the operator's folder, which add models or replace built-in ones by slug.
 */
public final class Catalog {

    private static final Logger log = LoggerFactory.getLogger(Catalog.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, ModelSpec> models;
    private final Map<String, InputValidator> validators;

    public Catalog(Collection<ModelSpec> specs) {
        Map<String, ModelSpec> m = new LinkedHashMap<>();
        Map<String, InputValidator> v = new LinkedHashMap<>();
        for (ModelSpec s : specs) {
            m.put(s.slug(), s);
            v.put(s.slug(), new InputValidator(s.inputSchema()));
        }
        this.models = Collections.unmodifiableMap(m);
        this.validators = Collections.unmodifiableMap(v);
    }

    public static Catalog load(String extraDir) {
        return load(extraDir, System::getenv);
    }

    /** {@code env} answers the runners' {@code api_key_env} variables (the process environment in production). */
    public static Catalog load(String extraDir, java.util.function.Function<String, String> env) {
        Map<String, ModelSpec> specs = new LinkedHashMap<>();
        for (String name : builtInNames()) {
            try (InputStream in = Catalog.class.getResourceAsStream("/models/" + name)) {
                if (in == null) throw new IllegalStateException("built-in model file missing: " + name);
                ModelSpec s = ModelSpec.parse(YAML.readTree(in), "models/" + name, env);
                specs.put(s.slug(), s);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read built-in model " + name, e);
            }
        }
        if (extraDir != null && !extraDir.isBlank()) {
            Path dir = Path.of(extraDir);
            if (!Files.isDirectory(dir)) throw new IllegalArgumentException("catalog.dir " + dir + " is not a folder");
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
                    ModelSpec s = ModelSpec.parse(YAML.readTree(p.toFile()), p.toString(), env);
                    if (specs.containsKey(s.slug())) log.info("catalog: {} replaces the built-in model {}", p, s.slug());
                    specs.put(s.slug(), s);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read catalog folder " + dir + ": " + e.getMessage(), e);
            }
        }
        return new Catalog(specs.values());
    }

    private static List<String> builtInNames() {
        try (InputStream in = Catalog.class.getResourceAsStream("/models/index.txt")) {
            List<String> names = new ArrayList<>();
            for (String line : new String(in.readAllBytes()).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) names.add(line.trim());
            }
            return names;
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("models/index.txt missing from the jar", e);
        }
    }

    public Collection<ModelSpec> all() {
        return models.values();
    }

    /** The model behind a slug for a call: 404 when unknown, 410 when retired, 503 when disabled. */
    public ModelSpec resolve(String slug) {
        ModelSpec s = models.get(slug);
        if (s == null) throw ApiException.notFound("Model '" + slug + "' not found. GET /v1/models lists the models of this Hearth");
        if (s.retired()) throw new ApiException(410, "Model '" + slug + "' has been retired");
        if (!s.enabled()) throw new ApiException(503, "Model '" + slug + "' is not available: " + s.disabledReason());
        return s;
    }

    public ModelSpec find(String slug) {
        return models.get(slug);
    }

    public InputValidator validator(String slug) {
        return validators.get(slug);
    }
}
