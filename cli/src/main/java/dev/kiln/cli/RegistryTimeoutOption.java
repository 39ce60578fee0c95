package dev.kiln.cli;

import dev.kiln.oci.registry.RegistryListener;
import dev.kiln.oci.registry.RegistryOptions;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --registry-timeout}, shared by the commands that speak to registries, and how they speak:
 * what kiln waits for goes to stderr as it waits.
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

    /** The options for a command's registry client; unless {@code quiet}, each wait is told on {@code err}. */
    RegistryOptions options(boolean insecure, boolean quiet, PrintWriter err) {
        RegistryOptions o = RegistryOptions.DEFAULT.withInsecure(insecure);
        if (timeout != null) {
            o = o.withTimeout(timeout);
        }
        return quiet ? o : o.withListener(toStderr(err));
    }

    private static RegistryListener toStderr(PrintWriter err) {
        return waiting -> err.println("kiln: " + waiting.message());
    }
}
