package dev.kiln.api;

import java.nio.file.Path;
import java.util.Objects;

/** What to fetch: every package a lock file pins, for every architecture. Immutable. */
public final class FetchRequest {
    private final Path lockFile;
    private final LockMode mode;

    private FetchRequest(Path lockFile, LockMode mode) {
        this.lockFile = Objects.requireNonNull(lockFile, "lockFile");
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** Fetches what {@code lockFile} pins and the store lacks. */
    public static FetchRequest of(Path lockFile) {
        return new FetchRequest(lockFile, LockMode.ONLINE);
    }

    /** This request; {@link LockMode#OFFLINE} touches no network and fails naming what the store lacks. */
    public FetchRequest withMode(LockMode mode) {
        return new FetchRequest(lockFile, mode);
    }

    public Path lockFile() {
        return lockFile;
    }

    public LockMode mode() {
        return mode;
    }

    @Override
    public String toString() {
        return "FetchRequest[" + lockFile + ", " + mode + "]";
    }
}
