package dev.kiln.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --context}, shared by lock and build, which read a spec's local sources from disk, and
 * verify, which reads none but finds the image's relative {@code file:} repositories from it.
 */
final class ContextOption {
    @Option(names = "--context", paramLabel = "DIR",
            description = "The build context: local sources (paths with a source) must lie inside it, symlinks followed;"
                    + " it must hold the spec (default: the spec's own directory). For verify: the directory the image's"
                    + " spec was in, which its relative file: repositories are relative to.")
    Path context;
}
