package dev.kiln.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A lock held against a fresh resolution: one line per change, diff-style ({@code + libfoo 1.1
 * (amd64)}, {@code ~ spec base.yaml changed since the lock was made}); none when the lock is up to date.
 */
public record LockCheckResult(Path lockFile, List<String> changes) {
    public LockCheckResult {
        Objects.requireNonNull(lockFile, "lockFile");
        changes = List.copyOf(changes);
    }

    /** Whether the lock is stale: the spec changed, or the repositories now offer something else. */
    public boolean stale() {
        return !changes.isEmpty();
    }
}
