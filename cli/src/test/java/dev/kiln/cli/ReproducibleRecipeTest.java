package dev.kiln.cli;

import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.builder.verify.DebDiff;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recipe (packages/tree.yaml: a C program compiled in the sandbox) built by {@code kiln recipe
 * build} in two separate processes that differ in everything that may differ between two machines:
 * a cold and a warm store (the second forced to build with {@code --rebuild}), the user (nobody and
 * root), the JDK, the time zone, the locale, the umask, the CPUs (one, by {@code taskset}, for the
 * JVM and the sandbox's make; all), the working directory and HOME. The two .deb files must be the
 * same bytes; otherwise the test fails naming the tar entries that differ. Live: the environment
 * and the source come from the host's Debian mirror.
 */
class ReproducibleRecipeTest {
    @TempDir
    Path tmp;

    @Test
    void aRecipeBuiltInTwoProcessesUnderEverythingThatMayVaryGivesTheSamePackage() throws Exception {
        assumeTrue(System.getProperty("os.arch").matches("amd64|x86_64"), "the recipe is locked for amd64 hosts");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path classes = ReproducibleBuildTest.copyClassPath(tmp.resolve("cp"));
        Path kilnHome = tmp.resolve("home");
        ReproducibleBuildTest.copyTree(HOME.resolve("keys"), kilnHome.resolve("keys"));
        Path recipes = Files.createDirectories(tmp.resolve("recipes"));
        Path recipe = recipes.resolve("tree.yaml");
        Files.copy(HOME.resolve("packages/tree.yaml"), recipe);
        CliRun.useCheckoutAsHome();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.run(new String[] {"recipe", "lock", "--store", tmp.resolve("lock-store").toString(), recipe.toString()},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true)), err.toString());
        for (Path p : List.of(recipe, recipes.resolve("tree.lock.json"))) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }

        // umask 077 for root, not for nobody: root's sandbox (a user namespace) must still read the
        // environment root nobody wrote, as any user may read what another wrote under umask 022
        ReproducibleBuildTest.Variations v = ReproducibleBuildTest.variations(tmp, "022", "077");
        boolean root = v.root();
        Path store = v.store();
        ReproducibleBuildTest.Run first = v.first();
        ReproducibleBuildTest.Run second = v.second();
        List<String> oneCpu = Files.isExecutable(Path.of("/usr/bin/taskset")) ? List.of("/usr/bin/taskset", "-c", "0") : List.of();

        JsonNode a = result(ReproducibleBuildTest.kiln(oneCpu, first, classes, kilnHome,
                List.of("recipe", "build", "--json", "--store", store.toString(), recipe.toString())));
        JsonNode b = result(ReproducibleBuildTest.kiln(List.of(), second, classes, kilnHome,
                List.of("recipe", "build", "--json", "--rebuild", "--store", store.toString(), recipe.toString())));
        assertEquals(false, a.get("remembered").asBoolean(), "the first build ran");
        assertEquals(false, b.get("remembered").asBoolean(), "the second build ran too");
        JsonNode pa = a.get("packages").get(0);
        JsonNode pb = b.get("packages").get(0);
        if (!pa.get("sha256").asText().equals(pb.get("sha256").asText())) {
            // the store keeps both by their sha256: name where they part
            Path scratch = Files.createDirectory(tmp.resolve("diff"));
            Path fa = store.resolve("blobs/sha256").resolve(pa.get("sha256").asText().substring(7));
            Path fb = store.resolve("blobs/sha256").resolve(pb.get("sha256").asText().substring(7));
            throw new AssertionError("the two builds differ:\n" + first + "\n" + second + "\n"
                    + String.join("\n", DebDiff.between(fa, fb, scratch)));
        }
        assertEquals(a.get("buildKey").asText(), b.get("buildKey").asText());
        if (root) {
            assertEquals(ReproducibleBuildTest.NOBODY, Files.getAttribute(store, "unix:uid"), "the first build ran as nobody");
        }
    }

    /** The first recipe of a {@code --json} run's result line. */
    private static JsonNode result(String output) throws Exception {
        String[] lines = output.strip().split("\n");
        JsonNode last = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertTrue(last.has("result"), output);
        return last.get("result").get("recipes").get(0);
    }
}
