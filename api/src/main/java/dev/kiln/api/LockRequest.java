package dev.kiln.api;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What to lock: a spec, where its lock goes, whether the repositories may be asked, and which pins
 * of the lock already there may move. Immutable; each {@code with} method returns a copy.
 *
 * <p>Locking is conservative, as cargo and npm lock: when a lock is already where this one goes,
 * every pin of it that still satisfies the spec and is still offered by its repository (same
 * version, same sha256) is kept, and a repository's Release pin stays when the packages pinned from
 * it stay; only what the spec's change (or a pin no longer offered) requires moves.
 * {@link #withUpdate()} takes the newest versions of everything, {@link #withUpdate(Collection)}
 * of the packages named.
 */
public final class LockRequest {
    private final Spec spec;
    private final Path lockFile;
    private final LockMode mode;
    private final boolean updateAll;
    private final SortedSet<String> update;

    private LockRequest(Spec spec, Path lockFile, LockMode mode, boolean updateAll, Set<String> update) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.lockFile = lockFile;
        this.mode = Objects.requireNonNull(mode, "mode");
        this.updateAll = updateAll;
        this.update = Collections.unmodifiableSortedSet(new TreeSet<>(update));
        if (mode == LockMode.FROZEN) {
            throw new IllegalArgumentException("a lock is made ONLINE or OFFLINE; FROZEN never resolves");
        }
    }

    /** Locks {@code spec} online, into {@code NAME.lock.json} beside its file, keeping what it can of the lock there. */
    public static LockRequest of(Spec spec) {
        return new LockRequest(spec, null, LockMode.ONLINE, false, Set.of());
    }

    /** This request, with the lock at {@code file} (required for a spec made in code). */
    public LockRequest withLockFile(Path file) {
        return new LockRequest(spec, Objects.requireNonNull(file, "file"), mode, updateAll, update);
    }

    /** This request, resolving {@link LockMode#ONLINE} or {@link LockMode#OFFLINE}. */
    public LockRequest withMode(LockMode mode) {
        return new LockRequest(spec, lockFile, mode, updateAll, update);
    }

    /** This request, resolving afresh: the newest versions of everything, whatever the lock there pins. */
    public LockRequest withUpdate() {
        return new LockRequest(spec, lockFile, mode, true, Set.of());
    }

    /**
     * This request, taking the newest versions of the packages {@code names} (on every architecture;
     * with what they need) and keeping every other pin it can.
     */
    public LockRequest withUpdate(Collection<String> names) {
        for (String n : names) {
            if (n == null || n.isBlank()) {
                throw new IllegalArgumentException("a package name to update is empty");
            }
        }
        return new LockRequest(spec, lockFile, mode, false, new TreeSet<>(names));
    }

    /** Whether no pin of the lock there is kept. */
    public boolean updateAll() {
        return updateAll;
    }

    /** The packages whose pins are not kept (empty with {@link #updateAll()}: then none is). */
    public SortedSet<String> update() {
        return update;
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
        return "LockRequest[" + spec.name() + ", " + lockFileOrDefaultText() + ", " + mode
                + (updateAll ? ", update all" : update.isEmpty() ? "" : ", update " + update) + "]";
    }

    private String lockFileOrDefaultText() {
        return lockFile != null ? lockFile.toString() : spec.file().map(f -> besideSpec(f).toString()).orElse("(no lock file)");
    }
}
