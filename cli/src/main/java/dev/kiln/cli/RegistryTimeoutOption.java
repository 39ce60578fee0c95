package dev.kiln.cli;

import dev.kiln.api.Registries;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --registry-timeout}, shared by the commands that speak to registries (what kiln waits for
 * goes to stderr as it waits: see {@link KilnSetup}).
 */
final class RegistryTimeoutOption {
    static final int MAX_SECONDS = 3600;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    private Duration timeout;

    @Option(names = "--registry-timeout", paramLabel = "SECONDS", description = {"How long to wait for a registry to answer"
        + " (default: 30); a blob or manifest gives up after twice that in all, tries included."})
    void timeout(int seconds) {
        if (seconds < 1 || seconds > MAX_SECONDS) {
            throw new ParameterException(mixee.commandLine(),
                    "--registry-timeout takes 1 to " + MAX_SECONDS + " seconds, found " + seconds);
        }
        this.timeout = Duration.ofSeconds(seconds);
    }

    boolean given() {
        return timeout != null;
    }

    /** {@code registries} with the timeout given, if one was. */
    Registries apply(Registries registries) {
        return timeout != null ? registries.withTimeout(timeout) : registries;
    }
}
