package dev.kiln.api;

import java.util.List;

/**
 * What {@link Kiln#recipeVerify} found: each recipe-built package held against its rebuild.
 *
 * @param target what was verified, as given
 * @param packages each package that carries a recipe, in the order found
 * @param withoutRecipe how many of an image's packages carry no recipe (Debian's own): not rebuilt
 */
public record RecipeVerifyResult(String target, List<Checked> packages, int withoutRecipe) {
    public RecipeVerifyResult {
        packages = List.copyOf(packages);
    }

    /** Whether every package came out the same bytes. */
    public boolean identical() {
        return packages.stream().allMatch(Checked::identical);
    }

    /**
     * One package.
     *
     * @param sha256 the package's, {@code sha256:<hex>}
     * @param rebuilt the rebuild's
     * @param differences where the two part: ar members, then tar entries ({@code data.tar.xz: ./usr/bin/hello: content ...});
     *     empty when identical
     */
    public record Checked(String name, String version, String architecture, String buildKey, String sha256, String rebuilt,
                          List<String> differences) {
        public Checked {
            differences = List.copyOf(differences);
        }

        public boolean identical() {
            return differences.isEmpty();
        }
    }
}
