package dev.kiln.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to build: a spec, its lock, the image's epoch, where the image goes, and the recipes whose
 * packages the image takes, built first. Immutable; each
 * {@code with} method and {@link #to} return a copy.
 */
public final class BuildRequest {
    private final Spec spec;
    private final Path lockFile;
    private final LockMode mode;
    private final Epoch epoch;
    private final List<Target> targets;
    private final RecipeBuildRequest recipes;

    private BuildRequest(Spec spec, Path lockFile, LockMode mode, Epoch epoch, List<Target> targets, RecipeBuildRequest recipes) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.lockFile = lockFile;
        this.mode = Objects.requireNonNull(mode, "mode");
        this.epoch = Objects.requireNonNull(epoch, "epoch");
        this.targets = List.copyOf(targets);
        this.recipes = recipes;
        if (this.targets.stream().filter(t -> t instanceof Target.Layout).count() > 1) {
            throw new IllegalArgumentException("a build writes one layout; push or archive it to go further");
        }
    }

    /**
     * Builds {@code spec} with the lock beside its file (resolved when missing or made from another
     * spec), at the epoch of the lock; add where the image goes with {@link #to}.
     */
    public static BuildRequest of(Spec spec) {
        return new BuildRequest(spec, null, LockMode.ONLINE, Epoch.fromLock(), List.of(), null);
    }

    /** This request, with the lock at {@code file} (required for a spec made in code). */
    public BuildRequest withLockFile(Path file) {
        return new BuildRequest(spec, Objects.requireNonNull(file, "file"), mode, epoch, targets, recipes);
    }

    /** This request: {@link LockMode#FROZEN} refuses to resolve, {@link LockMode#OFFLINE} touches no network. */
    public BuildRequest withMode(LockMode mode) {
        return new BuildRequest(spec, lockFile, mode, epoch, targets, recipes);
    }

    /** This request, the image made at {@code epoch}. */
    public BuildRequest withEpoch(Epoch epoch) {
        return new BuildRequest(spec, lockFile, mode, epoch, targets, recipes);
    }

    /** This request, the image also going to {@code target} (at most one layout). */
    public BuildRequest to(Target target) {
        List<Target> more = new ArrayList<>(targets);
        more.add(Objects.requireNonNull(target, "target"));
        return new BuildRequest(spec, lockFile, mode, epoch, more, recipes);
    }

    /**
     * This request, {@code recipes} built first (as {@link Kiln#recipeBuild} builds them, published into
     * their repository) and then the image: the spec names that repository as a {@code file:} line,
     * so the image's lock finds what the recipes made. A recipe whose build key is in the store is
     * not built again; a repository whose packages did not change is not rewritten.
     */
    public BuildRequest withRecipes(RecipeBuildRequest recipes) {
        return new BuildRequest(spec, lockFile, mode, epoch, targets, Objects.requireNonNull(recipes, "recipes"));
    }

    /** The recipes built before the image, when given. */
    public Optional<RecipeBuildRequest> recipes() {
        return Optional.ofNullable(recipes);
    }

    public Spec spec() {
        return spec;
    }

    /** The lock file given; empty for the default beside the spec ({@link LockRequest#lockFileOf}). */
    public Optional<Path> lockFile() {
        return Optional.ofNullable(lockFile);
    }

    public LockMode mode() {
        return mode;
    }

    public Epoch epoch() {
        return epoch;
    }

    /** Where the image goes, in the order given. */
    public List<Target> targets() {
        return targets;
    }

    Path lockFileOrDefault() {
        return lockFile != null ? lockFile : LockRequest.lockFileOf(spec);
    }

    @Override
    public String toString() {
        return "BuildRequest[" + spec.name() + ", " + mode + ", " + epoch + ", " + targets + "]";
    }
}
