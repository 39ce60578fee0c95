package dev.kiln.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.store.ErrorCodeCheck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The package builder's error codes are published names: pinned here, listed in the README. */
class RecipeErrorCodesTest {
    @Test
    void everyExceptionClassOfTheBuilderIsOneThisTestKnows() {
        assertEquals(List.of(RecipeException.class.getName()), ErrorCodeCheck.exceptionClasses(RecipeException.class));
    }

    @Test
    void theCodesArePinnedAndTheReadmeListsThem() {
        List<String> codes = new ArrayList<>();
        for (RecipeException.Kind k : RecipeException.Kind.values()) {
            codes.add(k.code());
        }
        ErrorCodeCheck.assertPublished(List.of(
                "recipe",
                "recipe.architecture",
                "recipe.cycle",
                "recipe.lock",
                "recipe.not-built",
                "recipe.package",
                "recipe.repository",
                "recipe.sandbox",
                "recipe.secret",
                "recipe.secret-leaked",
                "recipe.source",
                "recipe.spec",
                "recipe.step-failed",
                "recipe.version-taken"), codes, "recipe");
    }
}
