package dev.hearth.cli;

import dev.hearth.Hearth;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command answers {@code --help} with its usage, and every line of its description is a whole sentence. */
class HelpTextTest {

    @Test
    void workerHelpPrintsTheWholeDescription() {
        String help = help("worker", "--help");
        assertThat(help).contains("Usage: hearth worker")
                .contains("/predictions/{id}/cancel.")
                .contains("keep it on loopback or a private network.")
                .doesNotContain("Missing required option");
    }

    @Test
    void everyCommandHasHelpAndWholeSentences() {
        List<CommandLine> all = new ArrayList<>();
        collect(new CommandLine(new Hearth()), all);
        assertThat(all).hasSizeGreaterThan(10);
        for (CommandLine cmd : all) {
            for (String line : cmd.getCommandSpec().usageMessage().description()) {
                assertThat(line.strip()).as("a description line of '%s'", cmd.getCommandSpec().qualifiedName())
                        .matches("(?s).*[.:)]$");
            }
            String[] path = cmd.getCommandSpec().qualifiedName(" ").split(" ");
            String[] args = new String[path.length];
            System.arraycopy(path, 1, args, 0, path.length - 1);
            args[path.length - 1] = "--help";
            assertThat(help(args)).as(String.join(" ", args)).startsWith("Usage: " + cmd.getCommandSpec().qualifiedName(" "));
        }
    }

    private static void collect(CommandLine cmd, List<CommandLine> into) {
        into.add(cmd);
        cmd.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    private static String help(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Hearth());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        assertThat(code).as("exit code of hearth %s (%s)", String.join(" ", args), err).isZero();
        return out.toString();
    }
}
