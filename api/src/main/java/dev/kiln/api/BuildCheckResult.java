package dev.kiln.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Kiln#checkBuild} found: the first build (written where asked), whether a second one
 * from scratch in another JVM ({@code variation} says how it differed) gave the same bytes, and if
 * not, where the second layout is kept and how the two differ.
 *
 * @param report the differences as a person reads them, one per line; empty when reproducible
 */
public record BuildCheckResult(BuildResult first, Optional<Path> second, String variation, List<ImageDifference> differences,
        String report) {
    public BuildCheckResult {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        Objects.requireNonNull(variation, "variation");
        differences = List.copyOf(differences);
        Objects.requireNonNull(report, "report");
    }

    /** Whether the second build gave exactly the first one's blobs. */
    public boolean reproducible() {
        return differences.isEmpty();
    }
}
