package dev.kiln.cli;

import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.testing.TestRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * The recipes in packages/ and the examples that install them, as the README tells a user to run
 * them: a key made, the recipes locked and built (in the sandbox, from the host's Debian mirror)
 * into a signed repository, the images built from it and run under bubblewrap, verified, and the
 * recipe-built packages rebuilt by {@code kiln recipe verify}. Live: the mirror is the host's.
 * With {@code docker-registry} installed, the recipe and the tree image are built with {@code
 * --cache-push} into a registry on 127.0.0.1, and a second store with the mirror a closed port builds
 * both from it (issue 18's first "done when", with the python3 half in SharedCacheLiveTest).
 */
class ExampleRecipesTest {
    @TempDir
    static Path tmp;
    static Path store;
    static Path examples;
    static Path repo;
    /** The shared store's registry, or null where docker-registry is not installed. */
    static TestRegistry registry;
    /** The digest of the tree image store A built with --cache-push (set with the registry). */
    static String treeDigest;

    @BeforeAll
    static void buildTheRecipes() throws Exception {
        assumeTrue(System.getProperty("os.arch").matches("amd64|x86_64"), "the recipe examples are for amd64 hosts");
        CliRun.useCheckoutAsHome();
        store = tmp.resolve("store");
        repo = tmp.resolve("repo");
        Path packages = Files.createDirectories(tmp.resolve("packages"));
        examples = Files.createDirectories(tmp.resolve("examples"));
        for (String name : ExampleImagesTest.RECIPE_EXAMPLES) {
            Files.copy(HOME.resolve("packages").resolve(name + ".yaml"), packages.resolve(name + ".yaml"));
            Files.copy(HOME.resolve("examples").resolve(name + ".yaml"), examples.resolve(name + ".yaml"));
        }
        ok(CliRun.run("keys", "generate", "examples", "--openpgp", "--dir", examples.resolve("keys/recipes").toString()));
        ok(CliRun.run("recipe", "lock", "--store", store.toString(), packages.resolve("tree.yaml").toString(),
                packages.resolve("hello.yaml").toString()));
        List<String> push = new ArrayList<>();
        if (TestRegistry.available()) {
            registry = TestRegistry.start(tmp.resolve("registry"));
            ok(CliRun.run("keys", "generate", "ci", "--dir", tmp.resolve("cache-keys").toString()));
            push.addAll(List.of("--cache", cache(), "--cache-push", "--cache-key", tmp.resolve("cache-keys/ci.key").toString()));
        }
        List<String> build = new ArrayList<>(List.of("recipe", "build", "--store", store.toString(), "--repo", repo.toString(),
                "--signing-key", examples.resolve("keys/recipes/examples.secret.asc").toString()));
        build.addAll(push);
        build.addAll(List.of(packages.resolve("tree.yaml").toString(), packages.resolve("hello.yaml").toString()));
        String[] built = ok(CliRun.run(build.toArray(String[]::new)));
        assertTrue(built[1].contains("built tree 2.1.0-0kiln1") && built[1].contains("built hello 2.10-0kiln1"), built[1]);
        if (registry != null) {
            // the first build of the image in this store, so what it makes (the layers) is pushed
            List<String> image = new ArrayList<>(List.of("build", "--json", "--store", store.toString(), "-o",
                    tmp.resolve("tree-pushed-oci").toString()));
            image.addAll(push);
            image.add(examples.resolve("tree.yaml").toString());
            List<JsonNode> lines = CacheCommandTest.lines(ok(CliRun.run(image.toArray(String[]::new)))[1]);
            treeDigest = lines.get(lines.size() - 1).get("result").get("digest").asText();
        }
    }

    @AfterAll
    static void stopTheRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    private static String cache() {
        return registry.host() + "/kiln/cache";
    }

    private static String[] ok(String[] run) {
        assertEquals("0", run[0], run[1] + run[2]);
        return run;
    }

    /** Builds examples/NAME.yaml (the copy beside the key) and unpacks it with umoci; the bundle's root filesystem. */
    private static Path image(String name) throws Exception {
        Path layout = tmp.resolve(name + "-oci");
        ok(CliRun.run("build", "-q", "--store", store.toString(), "-o", layout.toString(), examples.resolve(name + ".yaml").toString()));
        Path bundle = tmp.resolve(name + "-bundle");
        exec("umoci", "unpack", "--rootless", "--image", layout + ":latest-amd64", bundle.toString());
        return bundle.resolve("rootfs");
    }

    private static String run(Path rootfs, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", rootfs.toString(), "/",
                "--proc", "/proc", "--dev", "/dev", "--clearenv"));
        cmd.addAll(List.of(args));
        return exec(cmd.toArray(String[]::new));
    }

    private static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
        return out;
    }

    @Test
    void treeIsInstalledFromTheRecipesRepositoryRunsAndVerifies() throws Exception {
        Path rootfs = image("tree");
        assertTrue(run(rootfs, "/usr/bin/tree", "--version").startsWith("tree v2.1.0"), "tree runs");
        String program = new String(Files.readAllBytes(rootfs.resolve("usr/bin/tree")), StandardCharsets.ISO_8859_1);
        assertTrue(program.startsWith("\u007fELF") && !program.contains(".symtab"), "the strip step stripped it");
        String lock = Files.readString(examples.resolve("tree.lock.json"));
        assertTrue(lock.contains("file:../repo recipes main"), "the lock keeps the line as written");
        // kiln verify rebuilds the image, the relative file: repository found from the context
        ok(CliRun.run("verify", "--context", examples.toString(), tmp.resolve("tree-oci").toString()));
        // kiln recipe verify rebuilds the recipe-built package the image holds, in a fresh store
        String[] verified = ok(CliRun.run("recipe", "verify", "--context", examples.toString(), tmp.resolve("tree-oci").toString()));
        assertTrue(verified[1].contains("ok: tree 2.1.0-0kiln1 rebuilt to the same bytes"), verified[1]);
    }

    @Test
    void anEmptyStoreWithTheMirrorClosedBuildsTheRecipeAndTheImageFromTheCache() throws Exception {
        assumeTrue(registry != null, "docker-registry is not installed");
        // the recipes, their lock, the example, its lock and the repository key, without store A's repository
        Path b = tmp.resolve("store-b-checkout");
        ReproducibleBuildTest.copyTree(tmp.resolve("packages"), b.resolve("packages"));
        ReproducibleBuildTest.copyTree(examples, b.resolve("examples"));
        String closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = "http://127.0.0.1:" + s.getLocalPort() + "/debian";
        }
        String storeB = b.resolve("store").toString();
        String[] trust = {"--cache", cache(), "--cache-trust", tmp.resolve("cache-keys/ci.pub").toString()};

        List<String> recipe = new ArrayList<>(List.of("recipe", "build", "--json", "--store", storeB, "--repo",
                b.resolve("repo").toString(), "--signing-key", b.resolve("examples/keys/recipes/examples.secret.asc").toString()));
        recipe.addAll(List.of(trust));
        recipe.add(b.resolve("packages/tree.yaml").toString());
        List<JsonNode> built = kilnWithTheMirrorClosed(closed, recipe);
        assertTrue(CacheCommandTest.events(built, "cache-hit").stream().anyMatch(e -> e.get("step").asText().equals("recipe-build-v1")),
                built.toString());
        assertEquals(List.of(), CacheCommandTest.events(built, "recipe-step"), "no sandbox step ran");
        String deb = "pool/main/t/tree/tree_2.1.0-0kiln1_amd64.deb";
        assertEquals(Files.mismatch(repo.resolve(deb), b.resolve("repo").resolve(deb)), -1L, "the same package, published again");

        List<String> image = new ArrayList<>(List.of("build", "--json", "--store", storeB, "-o", b.resolve("tree-oci").toString()));
        image.addAll(List.of(trust));
        image.add(b.resolve("examples/tree.yaml").toString());
        List<JsonNode> lines = kilnWithTheMirrorClosed(closed, image);
        assertEquals(treeDigest, lines.get(lines.size() - 1).get("result").get("digest").asText());
        assertTrue(CacheCommandTest.events(lines, "cache-hit").stream().anyMatch(e -> e.get("step").asText().equals("layer-v3")),
                lines.toString());
        for (List<JsonNode> run : List.of(built, lines)) {
            assertTrue(CacheCommandTest.events(run, "store-memo").stream().allMatch(e -> e.get("made").asInt() == 0), run.toString());
            assertEquals(List.of(), CacheCommandTest.events(run, "started"), "nothing asked of the mirror");
            assertTrue(CacheCommandTest.events(run, "cache-miss").stream().noneMatch(e -> e.get("refused").asBoolean()), run.toString());
        }
    }

    /** The --json lines of kiln ARGS in a JVM whose Debian mirror is {@code closed}, which must exit 0. */
    private static List<JsonNode> kilnWithTheMirrorClosed(String closed, List<String> args) throws Exception {
        String[] r = CliRun.runWithMirror(closed, args.toArray(String[]::new));
        assertEquals("0", r[0], r[1] + r[2]);
        return CacheCommandTest.lines(r[1]);
    }

    @Test
    void helloSaysHello() throws Exception {
        Path rootfs = image("hello");
        assertEquals("Hello, world!\n", run(rootfs, "/usr/bin/hello"));
        String lock = Files.readString(examples.resolve("hello.lock.json"));
        assertTrue(lock.contains("2.10-0kiln1") && !lock.contains("\"version\": \"2.10-3\""), "the recipes repository's hello");
    }

    @Test
    void aPackageWithOneByteChangedFailsItsRecipeVerificationNamingTheEntry() throws Exception {
        Path deb = repo.resolve("pool/main/t/tree/tree_2.1.0-0kiln1_amd64.deb");
        Path changed = tamper(deb, tmp.resolve("tree-changed.deb"));
        String[] r = CliRun.run("recipe", "verify", "--store", tmp.resolve("verify-store").toString(), changed.toString());
        assertEquals("1", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("DIFFERS: tree 2.1.0-0kiln1") && r[1].contains("data.tar.xz: ./usr/bin/tree: content"), r[1]);
    }

    /** {@code deb} with one byte of its ELF program flipped inside data.tar.xz, written again as a package. */
    private static Path tamper(Path deb, Path to) throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        try (ArArchiveInputStream ar = new ArArchiveInputStream(Files.newInputStream(deb))) {
            for (ArArchiveEntry e; (e = ar.getNextEntry()) != null; ) {
                members.put(e.getName(), ar.readAllBytes());
            }
        }
        byte[] tar;
        try (XZInputStream in = new XZInputStream(new ByteArrayInputStream(members.get("data.tar.xz")))) {
            tar = in.readAllBytes();
        }
        int elf = new String(tar, StandardCharsets.ISO_8859_1).indexOf("\u007fELF");
        assertTrue(elf > 0, "the package holds a program");
        tar[elf + 200] ^= 1;
        ByteArrayOutputStream xz = new ByteArrayOutputStream();
        try (XZOutputStream out = new XZOutputStream(xz, new LZMA2Options())) {
            out.write(tar);
        }
        members.put("data.tar.xz", xz.toByteArray());
        try (OutputStream file = Files.newOutputStream(to); ArArchiveOutputStream ar = new ArArchiveOutputStream(file)) {
            for (var m : members.entrySet()) {
                ar.putArchiveEntry(new ArArchiveEntry(m.getKey(), m.getValue().length, 0, 0, 0100644, 0));
                ar.write(m.getValue());
                ar.closeArchiveEntry();
            }
        }
        return to;
    }
}
