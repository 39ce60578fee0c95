package dev.kiln.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to build: locked recipes ({@code packages/NAME.yaml} with {@code NAME.lock.json} beside it,
 * as {@link Kiln#recipeLock} writes it), for the host's architecture (recipes do not cross-build),
 * and optionally the signed repository to publish the packages into. Immutable; each {@code with}
 * method returns a copy.
 *
 * @param recipes the recipe files, or directories whose {@code *.yaml} files are recipes: built each once, a recipe after
 *     the recipes that make a package of its environment (its lock's closure), independent ones at the same time
 * @param architecture the host's Debian architecture, e.g. {@code amd64}; a lock for another is refused
 * @param repository the repository directory to add the packages to (created if missing); empty: the packages stay in the store
 * @param signingKey the OpenPGP secret key ({@code NAME.secret.asc}) that signs the repository's {@code InRelease}
 * @param suite the repository's suite, {@code recipes} unless given
 * @param epoch the build's {@code SOURCE_DATE_EPOCH}: by default the newest Release date of the environment's lock
 * @param rebuild build even when the store remembers the build key (the packages must come out the same
 *     bytes the repository holds, or the publish is refused)
 * @param jobs how many recipes build at the same time at most; 0: as many as the host has cores
 */
public record RecipeBuildRequest(List<Path> recipes, String architecture, Optional<Path> repository, Optional<Path> signingKey,
                                 String suite, Epoch epoch, boolean rebuild, int jobs) {
    /** The suite a repository is published under unless another is given. */
    public static final String DEFAULT_SUITE = "recipes";

    public RecipeBuildRequest {
        recipes = List.copyOf(recipes);
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(signingKey, "signingKey");
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(epoch, "epoch");
        if (jobs < 0) {
            throw new IllegalArgumentException("jobs must be 0 (the host's cores) or more, not " + jobs);
        }
        if (recipes.isEmpty()) {
            throw new IllegalArgumentException("name at least one recipe");
        }
        if (repository.isPresent() && signingKey.isEmpty()) {
            throw new IllegalArgumentException("a repository is signed: give the signing key with it");
        }
    }

    /** Builds {@code recipes} for {@code architecture} into the store only. */
    public static RecipeBuildRequest of(List<Path> recipes, String architecture) {
        return new RecipeBuildRequest(recipes, architecture, Optional.empty(), Optional.empty(), DEFAULT_SUITE, Epoch.fromLock(), false, 0);
    }

    /** Publishes the packages into the repository at {@code dir}, its Release signed with {@code secretKey}. */
    public RecipeBuildRequest withRepository(Path dir, Path secretKey) {
        return new RecipeBuildRequest(recipes, architecture, Optional.of(dir), Optional.of(secretKey), suite, epoch, rebuild, jobs);
    }

    public RecipeBuildRequest withSuite(String suite) {
        return new RecipeBuildRequest(recipes, architecture, repository, signingKey, suite, epoch, rebuild, jobs);
    }

    public RecipeBuildRequest withEpoch(Epoch epoch) {
        return new RecipeBuildRequest(recipes, architecture, repository, signingKey, suite, epoch, rebuild, jobs);
    }

    /** Builds at most {@code jobs} recipes at the same time (1: one after the other; 0: as many as the host has cores). */
    public RecipeBuildRequest withJobs(int jobs) {
        return new RecipeBuildRequest(recipes, architecture, repository, signingKey, suite, epoch, rebuild, jobs);
    }

    public RecipeBuildRequest withRebuild(boolean rebuild) {
        return new RecipeBuildRequest(recipes, architecture, repository, signingKey, suite, epoch, rebuild, jobs);
    }
}
