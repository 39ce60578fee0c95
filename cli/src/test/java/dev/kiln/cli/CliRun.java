package dev.kiln.cli;

import dev.kiln.api.testing.TinyRepository;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the CLI in-process for tests, capturing what it prints. */
final class CliRun {
    /** kiln's checkout: the tests run in cli/, and kiln finds keys/ and examples/ here. */
    static final Path HOME = TinyRepository.HOME;

    private CliRun() {
    }

    /** Makes the checkout kiln's home for the commands these tests run (its keys/). */
    static void useCheckoutAsHome() {
        System.setProperty("kiln.home", HOME.toString());
    }

    /** {exit code, stdout, stderr} of {@code kiln ARGS}. */
    static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }
}
