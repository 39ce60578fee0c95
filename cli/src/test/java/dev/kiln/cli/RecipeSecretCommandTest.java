package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.testing.ToolsRepository;
import dev.kiln.builder.repo.PgpKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --secret} on {@code kiln recipe build} and {@code kiln recipe verify}: one parser, and a required secret verifies only with its value. */
class RecipeSecretCommandTest {
    private static final String VALUE = "s3cret-for-the-rebuild";

    @TempDir
    Path dir;

    @BeforeAll
    static void kilnHome() {
        CliRun.useCheckoutAsHome();
    }

    @Test
    void aRecipeNeedingARequiredSecretVerifiesWithItsValueAndNotWithout() throws Exception {
        Instant created = Instant.parse("2025-03-04T05:06:07Z");
        ToolsRepository tools = ToolsRepository.write(Files.createDirectories(dir.resolve("tools")), created);
        PgpKeys.Written key = PgpKeys.write(Files.createDirectories(dir.resolve("keys")), "recipes", created);
        Path recipe = Files.writeString(Files.createDirectories(dir.resolve("packages")).resolve("sealed.yaml"), """
                package: {name: sealed, version: "1.0"}
                environment:
                  contents: {repositories: ["%s"], packages: [tools]}
                pipeline:
                  - mounts: [{type: secret, id: token, required: true}]
                    runs: |
                      test -s /run/secrets/token
                      mkdir -p "${{targets.destdir}}/usr/share/sealed"
                      echo built > "${{targets.destdir}}/usr/share/sealed/done"
                """.formatted(tools.line()));
        Path secret = Files.writeString(dir.resolve("token"), VALUE);
        String store = dir.resolve("store").toString();
        Path repo = dir.resolve("repo");
        String[] lock = CliRun.run("recipe", "lock", "--store", store, recipe.toString());
        assertEquals("0", lock[0], lock[1] + lock[2]);
        String[] build = CliRun.run("recipe", "build", "--store", store, "--secret", "id=token,src=" + secret, "--repo", repo.toString(),
                "--signing-key", key.secretKey().toString(), recipe.toString());
        assertEquals("0", build[0], build[1] + build[2]);
        String deb = repo.resolve("pool/main/s/sealed/sealed_1.0-0kiln1_amd64.deb").toString();

        String[] without = CliRun.run("recipe", "verify", "--store", dir.resolve("verify-store").toString(), deb);
        assertEquals("3", without[0], without[1] + without[2]);
        assertTrue(without[2].contains("the secret 'token' is required by a step")
                && without[2].contains("--secret id=NAME,src=FILE"), without[2]);

        String[] malformed = CliRun.run("recipe", "verify", "--secret", "id=token", deb);
        assertEquals("2", malformed[0], malformed[1] + malformed[2]);
        assertTrue(malformed[2].contains("exactly one of src=FILE and env=VAR"), malformed[2]);

        String[] with = CliRun.run("recipe", "verify", "--store", dir.resolve("verify-store").toString(), "--secret",
                "id=token,src=" + secret, deb);
        assertEquals("0", with[0], with[1] + with[2]);
        assertTrue(with[1].startsWith("ok: sealed 1.0-0kiln1 rebuilt to the same bytes"), with[1]);
        for (String[] r : new String[][] {build, without, malformed, with}) {
            assertFalse((r[1] + r[2]).contains(VALUE), "no output holds the value");
        }
    }
}
