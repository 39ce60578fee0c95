package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.testing.TinyRepository;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    /**
     * {exit code, stdout, stderr} of {@code kiln ARGS} in another JVM (the checkout its home) whose
     * {@code DEBIAN_MIRROR} and {@code DEBIAN_SECURITY_MIRROR} are {@code mirror}: the library takes
     * the mirrors from the environment, which this JVM cannot change.
     */
    static String[] runWithMirror(String mirror, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dkiln.home=" + HOME, "dev.kiln.cli.Main"));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("kiln-stderr-", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
            pb.environment().put("DEBIAN_MIRROR", mirror);
            pb.environment().put("DEBIAN_SECURITY_MIRROR", mirror);
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "kiln did not end");
            return new String[] {Integer.toString(p.exitValue()), out, Files.readString(err)};
        } finally {
            Files.delete(err);
        }
    }
}
