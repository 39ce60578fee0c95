package dev.kiln.api;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What to lock: a spec, where its lock goes, and whether the repositories may be asked. Immutable;
 * each {@code with} method returns a copy.
 */
public final class LockRequest {
    private final Spec spec;
    private final Path lockFile;
    private final LockMode mode;

    private LockRequest(Spec spec, Path lockFile, LockMode mode) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.lockFile = lockFile;
        this.mode = Objects.requireNonNull(mode, "mode");
        if (mode == LockMode.FROZEN) {
            throw new IllegalArgumentException("a lock is made ONLINE or OFFLINE; FROZEN never resolves");
        }
    }

    /** Locks {@code spec} online, into {@code NAME.lock.json} beside its file. */
    public static LockRequest of(Spec spec) {
        return new LockRequest(spec, null, LockMode.ONLINE);
    }

    /** This request, with the lock at {@code file} (required for a spec made in code). */
    public LockRequest withLockFile(Path file) {
        return new LockRequest(spec, Objects.requireNonNull(file, "file"), mode);
    }

    /** This request, resolving {@link LockMode#ONLINE} or {@link LockMode#OFFLINE}. */
    public LockRequest withMode(LockMode mode) {
        return new LockRequest(spec, lockFile, mode);
    }

    public Spec spec() {
        return spec;
    }

    /** The lock file given; empty for the default beside the spec (see {@link #lockFileOf}). */
    public Optional<Path> lockFile() {
        return Optional.ofNullable(lockFile);
    }

    public LockMode mode() {
        return mode;
    }

    /**
     * Where {@code spec}'s lock goes when none is named: {@code NAME.lock.json} beside {@code NAME.yaml}.
     *
     * @throws IllegalArgumentException for a spec made in code, which has no file to go beside
     */
    public static Path lockFileOf(Spec spec) {
        Path file = spec.file().orElseThrow(() -> new IllegalArgumentException(
                "the spec " + spec.name() + " was made in code: name its lock file (withLockFile)"));
        return besideSpec(file);
    }

    /** {@code NAME.lock.json} beside {@code NAME.yaml}. */
    public static Path besideSpec(Path specFile) {
        String name = specFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        return specFile.resolveSibling(base + ".lock.json");
    }

    Path lockFileOrDefault() {
        return lockFile != null ? lockFile : lockFileOf(spec);
    }

    @Override
    public String toString() {
        return "LockRequest[" + spec.name() + ", " + lockFileOrDefaultText() + ", " + mode + "]";
    }

    private String lockFileOrDefaultText() {
        return lockFile != null ? lockFile.toString() : spec.file().map(f -> besideSpec(f).toString()).orElse("(no lock file)");
    }
}
