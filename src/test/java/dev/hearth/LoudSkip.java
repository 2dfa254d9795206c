package dev.hearth;

import org.junit.jupiter.api.Assumptions;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A test whose prerequisite (PostgreSQL, Redis, Chromium, npm, a registry) is missing: under CI ({@code CI=true})
 * it fails; elsewhere it is skipped, and says so on the console. Surefire sends a test's own output to
 * target/surefire-reports, where nobody sees it, so the line is also written to the process's real stderr,
 * which Maven shows between the test classes' results.
 */
public final class LoudSkip {

    private static final PrintStream CONSOLE = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);

    private LoudSkip() {
    }

    /** Fails under CI, else skips the calling test (or class) loudly; {@code needs} names what is missing. */
    public static void unavailable(String needs, String why, Throwable cause) {
        if (TestDatabases.ci()) throw new AssertionError(why + "; CI requires " + needs, cause);
        String line = "!!!!! SKIPPING test that needs " + needs + ": " + why + " !!!!!";
        System.err.println(line);
        CONSOLE.println(line);
        Assumptions.abort(why);
    }
}
