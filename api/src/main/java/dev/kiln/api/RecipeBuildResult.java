package dev.kiln.api;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Kiln#recipeBuild} did: each recipe's packages (built now, or remembered by their
 * build key), and the repository they were published into.
 *
 * @param recipes in the order of the request
 * @param repository the publish, when the request named a repository
 */
public record RecipeBuildResult(List<Built> recipes, Optional<Repository> repository) {
    public RecipeBuildResult {
        recipes = List.copyOf(recipes);
        Objects.requireNonNull(repository, "repository");
    }

    /**
     * One recipe built.
     *
     * @param recipe the recipe file
     * @param buildKey the sha256 of the build's inputs ({@code Kiln-Build-Key} in each package)
     * @param epoch the build's {@code SOURCE_DATE_EPOCH}
     * @param remembered true when the store had the build: nothing ran
     * @param packages the main package first, then its subpackages
     */
    public record Built(Path recipe, String name, String version, String buildKey, long epoch, boolean remembered,
                        List<PackageFile> packages) {
        public Built {
            packages = List.copyOf(packages);
        }
    }

    /**
     * One package.
     *
     * @param sha256 {@code sha256:<hex>} of the .deb
     * @param file where it is: in the repository's pool when published, else in the store
     */
    public record PackageFile(String name, String version, String architecture, String sha256, long size, Path file) {
    }

    /**
     * A publish.
     *
     * @param added pool paths new to the repository
     * @param unchanged pool paths it already held with the same bytes
     * @param changed whether any file of the repository was written (false: nothing changed, nothing was re-signed)
     * @param date the Release's {@code Date}
     */
    public record Repository(Path directory, String suite, List<String> added, List<String> unchanged, boolean changed,
                             Instant date) {
        public Repository {
            added = List.copyOf(added);
            unchanged = List.copyOf(unchanged);
        }
    }
}
