package dev.hearth.runners.process;

import dev.hearth.runners.cog.CogClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One local worker process: the operating-system process, the port its Cog server listens on, its log file,
 * and how many jobs it is running. Stopping it is SIGTERM, then SIGKILL after a grace period.
 */
final class WorkerProcess {

    final Process process;
    final int port;
    final Path log;
    final CogClient client;
    final AtomicInteger inFlight = new AtomicInteger();
    volatile long lastUsedNanos = System.nanoTime();

    private WorkerProcess(Process process, int port, Path log, CogClient client) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.client = client;
    }

    /**
     * Starts the command with its placeholders filled in: {@code {port}} (a free port), {@code {java}} (this
     * JVM's java) and {@code {classpath}} (this JVM's class path: the hearth jar when run from it).
     */
    static WorkerProcess start(List<String> command, java.util.Map<String, String> env, String host, Path logDir,
                               dev.hearth.net.Outbound http) throws IOException {
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        for (String part : command) cmd.add(fill(part, port));
        if (command.stream().noneMatch(p -> p.contains("{port}"))) {
            cmd.add("--port");
            cmd.add(Integer.toString(port));
        }
        Files.createDirectories(logDir);
        Path log = logDir.resolve("worker-" + port + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        return new WorkerProcess(p, port, log, new CogClient("http://" + host + ":" + port, http));
    }

    static String fill(String part, int port) {
        return part.replace("{port}", Integer.toString(port))
                .replace("{java}", Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .replace("{classpath}", System.getProperty("java.class.path"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** True once the process has exited, waiting up to {@code millis} for a process that is dying. */
    boolean exitedWithin(long millis) {
        try {
            return process.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    String describe() {
        return "worker pid " + process.pid() + " on port " + port;
    }

    String exitDescription() {
        return process.isAlive() ? "still running" : "exited with code " + process.exitValue();
    }

    /** The last lines the process wrote, for error messages. */
    String logTail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return text.length() > 800 ? "..." + text.substring(text.length() - 800) : text;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    void stop() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
