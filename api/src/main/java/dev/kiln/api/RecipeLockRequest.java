package dev.kiln.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What to lock: recipes ({@code packages/NAME.yaml}), each into {@code NAME.lock.json} beside it,
 * for the architecture of the host that builds them (recipes do not cross-build). Locking is
 * conservative, as for images: the environment's pins and the sources' pins of the lock already
 * there are kept where they still hold. Immutable; each {@code with} method returns a copy.
 *
 * @param recipes the recipe files (a directory: every {@code *.yaml} directly in it, by name), locked in this order
 * @param architecture the Debian architecture the environments are resolved for, e.g. {@code amd64}
 * @param mode {@link LockMode#ONLINE} or {@link LockMode#OFFLINE} (nothing downloaded; what the store lacks is an error)
 * @param action whether the locks are written, or only held against a fresh locking
 */
public record RecipeLockRequest(List<Path> recipes, String architecture, LockMode mode, Action action) {
    /** What a recipe lock request does with its result. */
    public enum Action {
        /** Write each lock (atomically). */
        WRITE,
        /** Write nothing; say for each lock what locking would change (as {@code kiln lock --check}). */
        CHECK
    }

    public RecipeLockRequest {
        recipes = List.copyOf(recipes);
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(action, "action");
        if (recipes.isEmpty()) {
            throw new IllegalArgumentException("name at least one recipe");
        }
        if (mode == LockMode.FROZEN) {
            throw new IllegalArgumentException("a lock is made ONLINE or OFFLINE; FROZEN never resolves");
        }
    }

    /** Locks {@code recipes} online for {@code architecture}, writing each lock. */
    public static RecipeLockRequest of(List<Path> recipes, String architecture) {
        return new RecipeLockRequest(recipes, architecture, LockMode.ONLINE, Action.WRITE);
    }

    public RecipeLockRequest withMode(LockMode mode) {
        return new RecipeLockRequest(recipes, architecture, mode, action);
    }

    public RecipeLockRequest withAction(Action action) {
        return new RecipeLockRequest(recipes, architecture, mode, action);
    }
}
