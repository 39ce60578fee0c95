package dev.kiln.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --context}, shared by the commands that read a spec's local sources from disk. */
final class ContextOption {
    @Option(names = "--context", paramLabel = "DIR",
            description = "The build context: local sources (paths with a source) must lie inside it, symlinks followed;"
                    + " it must hold the spec (default: the spec's own directory).")
    Path context;
}
