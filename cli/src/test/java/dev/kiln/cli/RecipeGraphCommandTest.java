package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flags of recipe graphs: {@code --jobs}, and {@code kiln build --recipes} with its repository and key (end to end in RecipeDagTest). */
class RecipeGraphCommandTest {
    @TempDir
    Path dir;

    @Test
    void recipesOnKilnBuildComeWithTheirRepositoryAndKey() throws Exception {
        Path spec = Files.writeString(dir.resolve("image.yaml"), "contents: {repositories: [], packages: []}\n");
        String[] r = CliRun.run("build", spec.toString(), "-o", dir.resolve("oci").toString(), "--recipes", dir.toString());
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("--recipes, --recipe-repo and --signing-key go together"), r[2]);
        assertTrue(Files.notExists(dir.resolve("oci")));
    }

    @Test
    void jobsMustNotBeNegative() {
        String[] r = CliRun.run("recipe", "build", "--jobs", "-1", dir.resolve("none.yaml").toString());
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("--jobs takes 1 or more"), r[2]);
    }
}
