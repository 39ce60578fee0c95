package dev.kiln.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --context}, shared by lock and build, which read a spec's local sources from disk, and
 * verify, which reads none (it checks the option, so that one set of options serves all three).
 */
final class ContextOption {
    @Option(names = "--context", paramLabel = "DIR",
            description = "The build context: local sources (paths with a source) must lie inside it, symlinks followed;"
                    + " it must hold the spec (default: the spec's own directory).")
    Path context;
}
