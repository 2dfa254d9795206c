package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.Hearth;
import dev.hearth.http.Json;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/**
 * One {@code hearth ...} command run in this JVM on a test's data folder, as an operator would type it:
 * its exit code, what it printed (JSON for the admin commands) and its error output.
 */
record CliRun(int code, String out, String err) {

    JsonNode json() throws Exception {
        return Json.MAPPER.readTree(out);
    }

    /** Runs {@code hearth <args> --data <data>}; an exception becomes exit code 1 with "error: ..." as picocli prints it. */
    static CliRun hearth(Path data, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true));
            CommandLine cli = new CommandLine(new Hearth());
            cli.setErr(new PrintWriter(err, true));
            cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
                cmd.getErr().println("error: " + e.getMessage());
                return 1;
            });
            String[] all = new String[args.length + 2];
            System.arraycopy(args, 0, all, 0, args.length);
            all[args.length] = "--data";
            all[args.length + 1] = data.toString();
            return new CliRun(cli.execute(all), out.toString().trim(), err.toString());
        } finally {
            System.setOut(original);
        }
    }
}
