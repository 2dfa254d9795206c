package dev.hearth.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code hearth serve} and {@code hearth worker} on a port another program holds end with one line that says so
 * and a non-zero exit, instead of a stack trace and a process that keeps running without listening.
 */
class BusyPortTest {

    @TempDir
    Path data;

    @Test
    void serveOnABusyPortExitsWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            Ended run = hearth("serve", "--port", Integer.toString(port), "--data", data.toString());
            assertThat(run.code).as(run.output).isEqualTo(1);
            assertThat(run.output).as(run.output)
                    .containsOnlyOnce("error: cannot listen on 0.0.0.0:" + port)
                    .contains("choose another with --port")
                    .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("is serving on")
                    .doesNotContain("admin key");
        }
    }

    @Test
    void workerOnABusyPortExitsWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            Ended run = hearth("worker", "--model", "bge-small-en-v1.5", "--port", Integer.toString(port));
            assertThat(run.code).as(run.output).isEqualTo(1);
            assertThat(run.output).as(run.output).containsOnlyOnce("error: cannot listen on 127.0.0.1:" + port)
                    .doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    private record Ended(int code, String output) {
    }

    /** {@code hearth ARGS} as its own process (the JVM running this test, on its class path), output and exit code. */
    private Ended hearth(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "dev.hearth.Hearth"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(data.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HEARTH_"));
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running after 120 s: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return new Ended(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
