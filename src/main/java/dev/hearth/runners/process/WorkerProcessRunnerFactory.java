package dev.hearth.runners.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.net.Outbound;
import dev.hearth.runners.BootProgress;
import dev.hearth.runners.Runner;
import dev.hearth.runners.RunnerFactory;
import dev.hearth.runners.RunnerSpec;
import dev.hearth.runners.cog.CogClient;
import dev.hearth.runners.cog.CogOutputs;
import dev.hearth.runners.cog.CogPredictions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runner type {@code worker-process}: the model runs in local processes that serve Cog's HTTP protocol,
 * started on the model's first job and stopped when it is idle. Parameters: {@code command} (a list, or one
 * string split at spaces; {@code {java}}, {@code {classpath}} and {@code {port}} are filled in, and
 * {@code --port <port>} is appended when the command has no {@code {port}}), {@code env} (extra environment
 * variables), {@code host} (default 127.0.0.1), {@code boot_timeout} (seconds to become READY, default 300),
 * {@code log_dir} (where each process's output goes; default the temp folder). Instance limits come from the
 * entry's {@code scaling}. The built-in models run this way with
 * {@code command: ["{java}", "-cp", "{classpath}", "dev.hearth.Hearth", "worker", "--model", "<slug>"]}.
 */
public final class WorkerProcessRunnerFactory implements RunnerFactory {

    public static final String TYPE = "worker-process";

    private final Outbound http = CogClient.newHttpClient();

    record Settings(List<String> command, Map<String, String> env, String host, int bootTimeoutSeconds, Path logDir, Outbound http) {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Runner boot(RunnerSpec spec, BootProgress progress) throws Exception {
        Settings settings = settings(spec);
        WorkerProcessRunner runner = new WorkerProcessRunner(settings, spec.instances(), new CogPredictions(new CogOutputs(http), spec.output(), dev.hearth.runners.cog.CogRunnerFactory.rename(spec)));
        try {
            int first = Math.max(1, spec.instances().min());
            for (int i = 0; i < first; i++) runner.startOne(progress);
            return runner;
        } catch (Exception | Error e) {
            runner.close();
            throw e;
        }
    }

    Settings settings(RunnerSpec spec) {
        JsonNode cmd = spec.params().get("command");
        List<String> command = new ArrayList<>();
        if (cmd != null && cmd.isArray()) cmd.forEach(c -> command.add(c.asText()));
        else if (cmd != null && cmd.isTextual()) command.addAll(List.of(cmd.asText().trim().split("\\s+")));
        if (command.isEmpty() || command.getFirst().isBlank()) {
            throw new IllegalArgumentException("runner 'worker-process' needs 'command': the program and arguments that start a Cog-protocol worker");
        }
        Map<String, String> env = new LinkedHashMap<>();
        spec.params().path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        String logDir = spec.text("log_dir", Path.of(System.getProperty("java.io.tmpdir"), "hearth-workers").toString());
        return new Settings(List.copyOf(command), env, spec.text("host", "127.0.0.1"), spec.integer("boot_timeout", 300), Path.of(logDir), http);
    }
}
