package dev.kiln.api;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which lock to hold against what its spec's signed repositories offer now: a spec (its lock beside
 * it, or the one named) or a lock (its spec where the lock says, relative to the lock). Immutable;
 * each {@code with} method returns a copy.
 */
public final class OutdatedRequest {
    private final Spec spec;
    private final Path lockFile;
    private final LockMode mode;

    private OutdatedRequest(Spec spec, Path lockFile, LockMode mode) {
        this.spec = spec;
        this.lockFile = lockFile;
        this.mode = Objects.requireNonNull(mode, "mode");
        if (spec == null && lockFile == null) {
            throw new IllegalArgumentException("name a spec or a lock file");
        }
        if (mode == LockMode.FROZEN) {
            throw new IllegalArgumentException("the repositories are read ONLINE or OFFLINE; FROZEN reads none");
        }
    }

    /** {@code spec}'s lock ({@code NAME.lock.json} beside it), against its repositories, online. */
    public static OutdatedRequest of(Spec spec) {
        return new OutdatedRequest(Objects.requireNonNull(spec, "spec"), null, LockMode.ONLINE);
    }

    /** The lock at {@code lockFile}, against the repositories of the spec it names (relative to the lock), online. */
    public static OutdatedRequest ofLock(Path lockFile) {
        return new OutdatedRequest(null, Objects.requireNonNull(lockFile, "lockFile"), LockMode.ONLINE);
    }

    /** This request, with the lock at {@code file} (required for a spec made in code). */
    public OutdatedRequest withLockFile(Path file) {
        return new OutdatedRequest(spec, Objects.requireNonNull(file, "file"), mode);
    }

    /**
     * This request, reading the repositories {@link LockMode#ONLINE} or {@link LockMode#OFFLINE}
     * (the newest Releases and indexes the store verified, and only the changelogs it holds).
     */
    public OutdatedRequest withMode(LockMode mode) {
        return new OutdatedRequest(spec, lockFile, mode);
    }

    /** The spec given; empty when the lock names it. */
    public Optional<Spec> spec() {
        return Optional.ofNullable(spec);
    }

    /** The lock file given; empty for the default beside the spec. */
    public Optional<Path> lockFile() {
        return Optional.ofNullable(lockFile);
    }

    public LockMode mode() {
        return mode;
    }

    @Override
    public String toString() {
        return "OutdatedRequest[" + (spec != null ? spec.name() : "(the lock's spec)") + ", "
                + (lockFile != null ? lockFile : "(beside the spec)") + ", " + mode + "]";
    }
}
