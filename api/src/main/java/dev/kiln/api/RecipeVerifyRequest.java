package dev.kiln.api;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What to verify: a package kiln built from a recipe, or every such package in an image. Each is
 * rebuilt from the recipe and recipe lock it carries, in a fresh store and sandbox, and its bytes
 * compared. Recipes build for the host's architecture, so the package must be of it.
 *
 * @param deb a {@code .deb} file, or empty for {@code image}
 * @param image an image whose lock names recipe-built packages (fetched by their sha256 from the
 *     repositories its spec names), or empty for {@code deb}
 * @param architecture the host's Debian architecture
 * @param recipeDirectory where the recipe's local sources are (the directory the recipe was in):
 *     only needed for a recipe with local sources, which a package does not carry
 * @param secrets the values of the recipes' secret mounts by id, as {@link RecipeBuildRequest#secrets()}:
 *     a recipe with a {@code required} secret is rebuilt only with its value (never carried by a package)
 */
public record RecipeVerifyRequest(Optional<Path> deb, Optional<ImageRef> image, String architecture,
                                  Optional<Path> recipeDirectory, Map<String, Supplier<byte[]>> secrets) {
    public RecipeVerifyRequest {
        Objects.requireNonNull(deb, "deb");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(recipeDirectory, "recipeDirectory");
        secrets = Collections.unmodifiableMap(new TreeMap<>(secrets));
        if (deb.isPresent() == image.isPresent()) {
            throw new IllegalArgumentException("name a package or an image, one of them");
        }
    }

    /** Verifies the package {@code deb}. */
    public static RecipeVerifyRequest ofPackage(Path deb, String architecture) {
        return new RecipeVerifyRequest(Optional.of(deb), Optional.empty(), architecture, Optional.empty(), Map.of());
    }

    /** Verifies every recipe-built package of {@code image}. */
    public static RecipeVerifyRequest ofImage(ImageRef image, String architecture) {
        return new RecipeVerifyRequest(Optional.empty(), Optional.of(image), architecture, Optional.empty(), Map.of());
    }

    public RecipeVerifyRequest withRecipeDirectory(Path dir) {
        return new RecipeVerifyRequest(deb, image, architecture, Optional.of(dir), secrets);
    }

    /** Gives the secret {@code id} its value for the rebuilds, as {@link RecipeBuildRequest#withSecret} does for a build. */
    public RecipeVerifyRequest withSecret(String id, Supplier<byte[]> value) {
        return new RecipeVerifyRequest(deb, image, architecture, recipeDirectory, RecipeBuildRequest.withSecret(secrets, id, value));
    }
}
