package dev.kiln.builder.recipe;

import dev.kiln.builder.source.SourcePin;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.Digest;
import java.util.List;
import java.util.Objects;

/**
 * A recipe's lock ({@code packages/NAME.lock.json}, written by {@link RecipeLocking}): which recipe
 * (by its canonical digest), for which architecture, the build environment's lock (an image lock,
 * as {@code kiln lock} makes one) and every source's pin. Nothing in it names the host.
 *
 * @param recipePath the recipe relative to the lock's directory
 * @param recipeDigest {@link Recipe#canonicalDigest()}: a change to any value of the recipe makes the lock stale
 * @param architecture the Debian architecture the environment is resolved for (the host's)
 * @param environment the build environment's lock
 * @param sources the pins, in the recipe's order of sources
 */
public record RecipeLock(int version, String recipePath, Digest recipeDigest, String architecture, Lock environment,
                         List<SourcePin> sources) {
    /** The format version this kiln writes and reads. */
    public static final int VERSION = 1;
    /**
     * The format version of a lock whose environment pins packages from recipes ({@code fromRecipes}):
     * a kiln that does not know them refuses such a lock rather than build without those packages.
     * A lock without them keeps version 1, and its bytes.
     */
    public static final int VERSION_WITH_RECIPE_PINS = 2;

    public RecipeLock {
        Objects.requireNonNull(recipePath, "recipePath");
        Objects.requireNonNull(recipeDigest, "recipeDigest");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(environment, "environment");
        sources = List.copyOf(sources);
    }
}
