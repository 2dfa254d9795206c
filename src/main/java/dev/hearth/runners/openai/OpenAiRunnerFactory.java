package dev.hearth.runners.openai;

import dev.hearth.net.Outbound;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Runner type {@code openai}: a model served by an OpenAI-compatible server (vLLM, llama.cpp's server,
 * Ollama, LiteLLM...). Parameters: {@code base_url} (up to and including {@code /v1}), {@code model} (the
 * name the server knows the model by), {@code endpoint} ({@code chat}, the default, or {@code embeddings}),
 * {@code api_key_env} (a variable holding a key sent as a Bearer token, if the server wants one), and
 * {@code boot_timeout} (seconds to wait for {@code GET /models} to answer, default 120). Booting waits
 * for the server: a model whose server is down fails its boot (503) instead of each call.
 */
public final class OpenAiRunnerFactory implements RunnerFactory {

    public static final String TYPE = "openai";

    private final Function<String, String> env;
    private final Outbound http = Upstream.newHttpClient();

    public OpenAiRunnerFactory(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        Upstream upstream = upstream(spec.requiredText("base_url"), spec, "Authorization", "Bearer ", env, http);
        String model = spec.requiredText("model");
        awaitServer(upstream, spec.integer("boot_timeout", 120), progress);
        return switch (spec.text("endpoint", "chat")) {
            case "chat" -> new OpenAiChat(upstream, model);
            case "embeddings" -> new OpenAiEmbeddings(upstream, model);
            default -> throw new IllegalArgumentException("runner 'openai': 'endpoint' must be chat or embeddings");
        };
    }

    /** An upstream with the API key (when the entry names one) in the given header. */
    public static Upstream upstream(String baseUrl, RunnerSpec spec, String header, String prefix, Function<String, String> env, Outbound http) {
        Map<String, String> headers = new HashMap<>();
        String keyVar = spec.text("api_key_env", null);
        if (keyVar != null && !keyVar.isBlank()) {
            String key = env.apply(keyVar);
            if (key == null || key.isBlank()) throw new IllegalStateException("the environment variable " + keyVar + " holds no API key");
            headers.put(header, prefix + key);
        }
        return new Upstream(baseUrl, headers, http);
    }

    static void awaitServer(Upstream upstream, int timeoutSeconds, BootProgress progress) throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        progress.step("waiting for " + upstream.base() + "/models");
        String last = null;
        while (true) {
            try {
                int status = upstream.get("/models");
                if (status == 200) {
                    progress.step(upstream.base() + " is ready");
                    return;
                }
                last = "HTTP " + status;
                if (status == 401 || status == 403) throw new IOException(upstream.base() + " refused the API key (" + last + ")");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains("refused the API key")) throw e;
                last = e.toString();
            }
            if (System.nanoTime() - deadline > 0) throw new IOException(upstream.base() + " did not answer GET /models within " + timeoutSeconds + " s (last: " + last + ")");
            Thread.sleep(250);
        }
    }
}
