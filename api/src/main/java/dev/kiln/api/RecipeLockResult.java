package dev.kiln.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** What a {@link RecipeLockRequest} did, recipe by recipe, in the request's order. */
public record RecipeLockResult(List<Locked> recipes) {
    public RecipeLockResult {
        recipes = List.copyOf(recipes);
    }

    /** Whether any lock is stale (or missing): what a check reports as a failure. */
    public boolean stale() {
        return recipes.stream().anyMatch(r -> !r.changes().isEmpty());
    }

    /**
     * One recipe's lock.
     *
     * @param recipe the recipe file
     * @param lockFile its lock, beside it
     * @param packageName {@code package.name}
     * @param version the Debian version its packages get ({@code 2.10-0kiln1})
     * @param architecture what the environment was resolved for
     * @param recipeDigest the recipe's canonical digest, {@code sha256:...}
     * @param environmentPackages how many packages the build environment's lock pins
     * @param sources each source's pin, one line each ({@code pipeline[0] fetch URI sha256:...})
     * @param changes what differs from the lock that was there ({@code + ...}, {@code - ...}, {@code ~ ...});
     *     one line when there was none; empty when nothing changed
     * @param written whether the lock file was written (never in a check)
     */
    public record Locked(Path recipe, Path lockFile, String packageName, String version, String architecture, String recipeDigest,
                         int environmentPackages, List<String> sources, List<String> changes, boolean written) {
        public Locked {
            Objects.requireNonNull(recipe, "recipe");
            Objects.requireNonNull(lockFile, "lockFile");
            Objects.requireNonNull(packageName, "packageName");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(architecture, "architecture");
            Objects.requireNonNull(recipeDigest, "recipeDigest");
            sources = List.copyOf(sources);
            changes = List.copyOf(changes);
        }
    }
}
