package dev.kiln.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --json}, shared by lock, fetch, build, verify and sign (the README lists what each prints). */
final class JsonOption {
    /** The option's name, which the error handler looks for on the command line. */
    static final String NAME = "--json";

    @Option(names = NAME, description = "Print one JSON object per line on stdout: each event, then the result"
            + " (or the error); with --quiet, the last line only.")
    boolean json;

    /** Where the JSON lines go, or null without {@code --json}. */
    JsonLines lines(PrintWriter out) {
        return json ? new JsonLines(out) : null;
    }
}
