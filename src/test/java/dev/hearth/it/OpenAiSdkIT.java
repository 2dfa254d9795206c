package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.http.Json;
import dev.hearth.LoudSkip;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official OpenAI SDK for Node (npm {@code openai}, 6.x) against Hearth, unchanged but for its base URL:
 * {@code embeddings.create} on a real built-in model (the SDK asks for base64 by default and decodes it), and
 * {@code chat.completions.create} plain and streamed. The chat model is served by a local OpenAI-compatible
 * test server (a protocol test: it echoes, it is no model). The SDK is installed with npm into
 * target/openai-node once; without npm or its registry the test fails under CI=true and is skipped elsewhere.
 */
class OpenAiSdkIT {

    static final Path SDK_DIR = Path.of("target", "openai-node").toAbsolutePath();
    static ChatUpstream upstream;
    static HearthServer server;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        installSdk();
        upstream = new ChatUpstream();
        upstream.tokenDelayMillis = 20;
        Path catalog = Files.createTempDirectory("hearth-sdk");
        Files.writeString(catalog.resolve("tiny-chat.yaml"), upstream.catalogEntry("tiny-chat", "0.000001"));
        server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("catalog.dir", catalog.toString()), Map.of());
        key = server.createAccount("node", "pro", "1").get("api_key").asText();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (upstream != null) upstream.close();
    }

    static void installSdk() throws Exception {
        if (Files.exists(SDK_DIR.resolve("node_modules/openai/package.json"))) return;
        Files.createDirectories(SDK_DIR);
        String why;
        try {
            Process p = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--prefix", SDK_DIR.toString(), "openai@6")
                    .redirectErrorStream(true).redirectOutput(SDK_DIR.resolve("npm-install.log").toFile()).start();
            boolean ended = p.waitFor(300, TimeUnit.SECONDS);
            if (ended && p.exitValue() == 0 && Files.exists(SDK_DIR.resolve("node_modules/openai/package.json"))) return;
            if (!ended) p.destroyForcibly();
            why = "npm install openai@6 " + (ended ? "failed (exit " + p.exitValue() + ")" : "timed out") + ": "
                    + Files.readString(SDK_DIR.resolve("npm-install.log")).strip();
        } catch (IOException e) {
            why = "npm is not available: " + e.getMessage();
        }
        LoudSkip.unavailable("node and npm (the OpenAI Node SDK test)", why, null);
    }

    static final String SCRIPT = """
            import OpenAI from 'openai';
            const client = new OpenAI({ apiKey: process.env.HEARTH_KEY, baseURL: process.env.HEARTH_BASE + '/v1' });
            const out = {};
            // no encoding_format: the SDK asks for base64 and decodes it to numbers itself
            const e = await client.embeddings.create({ model: 'bge-small-en-v1.5', input: ['hello world', 'a second text'] });
            out.embeddings = e.data.map(d => d.embedding);
            out.embeddingUsage = e.usage;
            const c = await client.chat.completions.create({ model: 'tiny-chat', messages: [{ role: 'user', content: 'hello from node' }] });
            out.chat = c.choices[0].message.content;
            out.chatUsage = c.usage;
            const s = await client.chat.completions.create({ model: 'tiny-chat', stream: true, stream_options: { include_usage: true },
              messages: [{ role: 'user', content: 'stream this please' }] });
            let text = '', chunks = 0, usage = null;
            for await (const ch of s) {
              chunks++;
              if (ch.choices[0]?.delta?.content) text += ch.choices[0].delta.content;
              if (ch.usage) usage = ch.usage;
            }
            Object.assign(out, { stream: text, streamChunks: chunks, streamUsage: usage });
            try {
              await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
            } catch (err) {
              out.errorStatus = err.status;
              out.errorMessage = err.message;
            }
            console.log(JSON.stringify(out));
            """;

    @Test
    void theOfficialSdkGetsEmbeddingsAndChatCompletionsPlainAndStreamed() throws Exception {
        Path script = SDK_DIR.resolve("sdk-check.mjs");
        Files.writeString(script, SCRIPT);
        Path output = Files.createTempFile("sdk-out", ".txt");
        ProcessBuilder pb = new ProcessBuilder("node", script.toString()).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().put("HEARTH_KEY", key);
        pb.environment().put("HEARTH_BASE", server.base);
        Process node = pb.start();
        assertThat(node.waitFor(180, TimeUnit.SECONDS)).as("node finished").isTrue();
        String printed = Files.readString(output, StandardCharsets.UTF_8).strip();
        assertThat(node.exitValue()).as(printed).isZero();
        JsonNode out = Json.MAPPER.readTree(printed.lines().reduce((a, b) -> b).orElse(""));

        // the vectors the SDK decoded are Hearth's own (as floats from the same model, compared at float32)
        JsonNode expected = server.post("/v1/embeddings", key, "{\"model\": \"bge-small-en-v1.5\", \"input\": [\"hello world\", \"a second text\"]}").json();
        assertThat(out.get("embeddings")).hasSize(2);
        for (int t = 0; t < 2; t++) {
            JsonNode got = out.get("embeddings").get(t);
            JsonNode want = expected.get("data").get(t).get("embedding");
            assertThat(got).hasSize(384);
            for (int i = 0; i < 384; i++) assertThat((float) got.get(i).asDouble()).isEqualTo((float) want.get(i).asDouble());
        }
        assertThat(out.get("embeddingUsage").get("prompt_tokens").asInt()).isPositive();

        assertThat(out.get("chat").asText()).isEqualTo("Echo: hello from node");
        assertThat(out.get("chatUsage").get("total_tokens").asInt()).isEqualTo(3 + 4);
        assertThat(out.get("stream").asText()).isEqualTo("Echo: stream this please");
        assertThat(out.get("streamChunks").asInt()).isGreaterThan(4);
        assertThat(out.get("streamUsage").get("total_tokens").asInt()).isEqualTo(3 + 4);
        assertThat(out.get("errorStatus").asInt()).isEqualTo(404);
        assertThat(List.of(out.get("errorMessage").asText())).allMatch(m -> m.contains("no-such-model"));
    }
}
