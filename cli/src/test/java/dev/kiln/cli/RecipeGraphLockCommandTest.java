package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.testing.ToolsRepository;
import dev.kiln.builder.repo.PgpKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipes through the CLI from nothing. A graph: {@code kiln recipe lock packages/} pins what one
 * recipe needs of another as coming from that recipe (no repository exists yet), then
 * {@code kiln recipe build packages/ --repo ... --signing-key ...} builds both and publishes them.
 * And {@code kiln build --check --recipes ...}: the recipes built and published, then the image built twice.
 */
class RecipeGraphLockCommandTest {
    private static final Instant CREATED = Instant.parse("2025-03-04T05:06:07Z");

    @TempDir
    Path dir;
    private ToolsRepository tools;
    private PgpKeys.Written key;
    private Path packages;
    private String store;

    @BeforeAll
    static void kilnHome() {
        CliRun.useCheckoutAsHome();
    }

    @BeforeEach
    void toolsKeyAndPackages() throws Exception {
        tools = ToolsRepository.write(Files.createDirectories(dir.resolve("tools")), CREATED);
        key = PgpKeys.write(Files.createDirectories(dir.resolve("keys")), "recipes", CREATED);
        packages = Files.createDirectories(dir.resolve("packages"));
        store = dir.resolve("store").toString();
    }

    private static String recipe(String name, String tools, String needs, String script) {
        return """
                package: {name: %s, version: "1.0"}
                environment:
                  contents:
                    repositories: ["%s"]
                    packages: [tools%s]
                pipeline:
                  - runs: |
                      mkdir -p "${{targets.destdir}}/usr/share/%s"
                      echo %s > "${{targets.destdir}}/usr/share/%s/marker"
                %s""".formatted(name, tools, needs.isEmpty() ? "" : ", " + needs, name, name, name, script.indent(6));
    }

    @Test
    void aGraphLocksAndBuildsFromNothing() throws Exception {
        Files.writeString(packages.resolve("base.yaml"), recipe("base", tools.line(), "", ""));
        Files.writeString(packages.resolve("top.yaml"), recipe("top", tools.line(), "base", "test -f /usr/share/base/marker\n"));

        String[] lock = CliRun.run("recipe", "lock", "--store", store, packages.toString());
        assertEquals("0", lock[0], lock[1] + lock[2]);
        String topLock = Files.readString(packages.resolve("top.lock.json"));
        assertTrue(topLock.contains("\"fromRecipes\"") && topLock.contains("\"name\": \"base\""), topLock);
        String[] check = CliRun.run("recipe", "lock", "--check", "--store", store,
                packages.toString());
        assertEquals("0", check[0], check[1] + check[2]);

        Path repo = dir.resolve("repo");
        String[] build = CliRun.run("recipe", "build", "--store", store, "--repo", repo.toString(), "--signing-key",
                key.secretKey().toString(), packages.toString());
        assertEquals("0", build[0], build[1] + build[2]);
        assertTrue(Files.exists(repo.resolve("pool/main/b/base/base_1.0-0kiln1_amd64.deb")), build[1]);
        assertTrue(Files.exists(repo.resolve("pool/main/t/top/top_1.0-0kiln1_amd64.deb")), build[1]);
        assertTrue(build[1].contains("built top 1.0-0kiln1"), build[1]);
    }

    @Test
    void buildCheckWithRecipesBuildsThemThenChecksTheImageTwice() throws Exception {
        Files.writeString(packages.resolve("one.yaml"), recipe("one", tools.line(), "", ""));
        String[] lock = CliRun.run("recipe", "lock", "--store", store, packages.toString());
        assertEquals("0", lock[0], lock[1] + lock[2]);
        Path spec = Files.writeString(dir.resolve("image.yaml"), """
                contents:
                  repositories:
                    - %s
                    - deb [signed-by=%s] file:repo recipes main
                  packages: [one]
                archs: [amd64]
                """.formatted(tools.line(), key.publicKey()));
        Path repo = dir.resolve("repo");
        String[] check = CliRun.run("build", spec.toString(), "-o", dir.resolve("oci").toString(), "--check", "--store", store, "--recipes", packages.toString(),
                "--recipe-repo", repo.toString(), "--signing-key", key.secretKey().toString());
        assertEquals("0", check[0], check[1] + check[2]);
        assertTrue(check[1].contains("reproducible ") && check[1].contains("built again identically"), check[1]);
        assertTrue(Files.exists(repo.resolve("pool/main/o/one/one_1.0-0kiln1_amd64.deb")), "the recipes were built and published first");
        assertTrue(Files.readString(dir.resolve("image.lock.json")).contains("one_1.0-0kiln1_amd64.deb"));
    }
}
