package dev.kiln.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --store}, shared by every command that touches the store. */
final class StoreOption {
    @Option(names = "--store", paramLabel = "DIR",
            description = "The content-addressed store (default: $KILN_STORE, else $XDG_CACHE_HOME/kiln, else ~/.cache/kiln).")
    Path store;
}
