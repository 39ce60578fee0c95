package dev.kiln.builder.verify;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebReader;
import dev.kiln.assembler.deb.UnpackLimits;
import dev.kiln.assembler.tree.Content;
import dev.kiln.builder.RecipeException;
import dev.kiln.builder.build.RecipeBuilder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a package kiln built from a recipe carries to be rebuilt: its control fields (name,
 * version, architecture, build key, epoch), the recipe's canonical form and the recipe's lock, read
 * from its {@code control.tar} by kiln's .deb reader (an untrusted package: its limits and checks
 * hold). A package without them (Debian's own) carries no recipe.
 *
 * @param recipe the {@value RecipeBuilder#RECIPE_MEMBER} member's bytes
 * @param lock the {@value RecipeBuilder#LOCK_MEMBER} member's bytes
 */
public record CarriedRecipe(String name, String version, String architecture, String buildKey, long epoch, byte[] recipe,
                            byte[] lock) {
    /** The recipe {@code deb} carries; empty for a package that carries none. */
    public static Optional<CarriedRecipe> read(Path deb) {
        DebReader.Control control;
        try {
            control = new DebReader(UnpackLimits.DEFAULT).readControl(deb, deb.toString());
        } catch (AssembleException e) {
            throw new RecipeException(RecipeException.Kind.PACKAGE, deb + " is not a Debian package kiln can read: "
                    + e.getMessage(), e);
        }
        Content recipe = control.members().get(RecipeBuilder.RECIPE_MEMBER);
        Content lock = control.members().get(RecipeBuilder.LOCK_MEMBER);
        if (recipe == null || lock == null) {
            return Optional.empty();
        }
        Map<String, String> fields = control.fields();
        String key = fields.get(RecipeBuilder.BUILD_KEY_FIELD);
        String epoch = fields.get(RecipeBuilder.EPOCH_FIELD);
        if (key == null || epoch == null || !epoch.matches("[0-9]{1,12}")) {
            throw new RecipeException(RecipeException.Kind.PACKAGE, deb + " carries a recipe but not its "
                    + RecipeBuilder.BUILD_KEY_FIELD + " and " + RecipeBuilder.EPOCH_FIELD + " fields"
                    + "\n  found: " + RecipeBuilder.BUILD_KEY_FIELD + " '" + key + "', " + RecipeBuilder.EPOCH_FIELD + " '" + epoch + "'");
        }
        return Optional.of(new CarriedRecipe(fields.getOrDefault("Package", ""), fields.getOrDefault("Version", ""),
                fields.getOrDefault("Architecture", ""), key, Long.parseLong(epoch), recipe.readAllBytes(), lock.readAllBytes()));
    }
}
