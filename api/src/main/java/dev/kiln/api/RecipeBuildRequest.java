package dev.kiln.api;

import dev.kiln.builder.recipe.StepMount;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

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
 * @param secrets the values of the recipes' secret mounts by id, each asked for once per recipe that is
 *     built (not when it is a lookup); a value never enters a build key, a lock, a log or a message
 */
public record RecipeBuildRequest(List<Path> recipes, String architecture, Optional<Path> repository, Optional<Path> signingKey,
                                 String suite, Epoch epoch, boolean rebuild, int jobs,
                                 Map<String, Supplier<byte[]>> secrets) {
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
        secrets = Collections.unmodifiableMap(new TreeMap<>(secrets));
        if (recipes.isEmpty()) {
            throw new IllegalArgumentException("name at least one recipe");
        }
        if (repository.isPresent() && signingKey.isEmpty()) {
            throw new IllegalArgumentException("a repository is signed: give the signing key with it");
        }
    }

    /** Builds {@code recipes} for {@code architecture} into the store only. */
    public static RecipeBuildRequest of(List<Path> recipes, String architecture) {
        return new RecipeBuildRequest(recipes, architecture, Optional.empty(), Optional.empty(), DEFAULT_SUITE, Epoch.fromLock(), false, 0, Map.of());
    }

    /** Publishes the packages into the repository at {@code dir}, its Release signed with {@code secretKey}. */
    public RecipeBuildRequest withRepository(Path dir, Path secretKey) {
        return new RecipeBuildRequest(recipes, architecture, Optional.of(dir), Optional.of(secretKey), suite, epoch, rebuild, jobs, secrets);
    }

    public RecipeBuildRequest withSuite(String suite) {
        return new RecipeBuildRequest(recipes, architecture, repository, signingKey, suite, epoch, rebuild, jobs, secrets);
    }

    public RecipeBuildRequest withEpoch(Epoch epoch) {
        return new RecipeBuildRequest(recipes, architecture, repository, signingKey, suite, epoch, rebuild, jobs, secrets);
    }

    /**
     * Gives the secret {@code id} (a recipe's {@code {type: secret, id: ID}} mount) its value, read
     * from {@code value} when a recipe that mounts it is built.
     */
    public RecipeBuildRequest withSecret(String id, Supplier<byte[]> value) {
        return new RecipeBuildRequest(recipes, architecture, repository, signingKey, suite, epoch, rebuild, jobs,
                withSecret(secrets, id, value));
    }

    /** {@code secrets} and {@code id}'s value: a copy (for this request and {@link RecipeVerifyRequest}). */
    static Map<String, Supplier<byte[]>> withSecret(Map<String, Supplier<byte[]>> secrets, String id, Supplier<byte[]> value) {
        Objects.requireNonNull(value, "value");
        if (!StepMount.ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a secret id is letters, digits, '.', '_' and '-': " + id);
        }
        TreeMap<String, Supplier<byte[]>> s = new TreeMap<>(secrets);
        s.put(id, value);
        return s;
    }

    /** Builds at most {@code jobs} recipes at the same time (1: one after the other; 0: as many as the host has cores). */
    public RecipeBuildRequest withJobs(int jobs) {
        return new RecipeBuildRequest(recipes, architecture, repository, signingKey, suite, epoch, rebuild, jobs, secrets);
    }

    public RecipeBuildRequest withRebuild(boolean rebuild) {
        return new RecipeBuildRequest(recipes, architecture, repository, signingKey, suite, epoch, rebuild, jobs, secrets);
    }
}
