package dev.kiln.cli;

import dev.kiln.store.KilnException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The private key's password: the first line of standard input with {@code --password-stdin}, else {@code $KILN_KEY_PASSWORD}. */
final class PasswordOption {
    static final String ENV = "KILN_KEY_PASSWORD";

    @Option(names = "--password-stdin",
            description = "Read the private key's password from the first line of standard input (default: $" + ENV + ", else none).")
    boolean stdin;

    Optional<char[]> password() {
        if (stdin) {
            try {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                if (line == null) {
                    throw new KilnException("--password-stdin: standard input is empty\n  fix: pipe the password in, e.g."
                            + " 'pass show kiln | kiln ... --password-stdin'");
                }
                return Optional.of(line.toCharArray());
            } catch (IOException e) {
                throw new KilnException("--password-stdin: cannot read standard input: " + dev.kiln.store.IoErrors.why(e), e);
            }
        }
        return Optional.ofNullable(System.getenv(ENV)).map(String::toCharArray);
    }
}
