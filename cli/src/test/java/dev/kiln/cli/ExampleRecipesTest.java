package dev.kiln.cli;

import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
 */
class ExampleRecipesTest {
    @TempDir
    static Path tmp;
    static Path store;
    static Path examples;
    static Path repo;

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
        String[] built = ok(CliRun.run("recipe", "build", "--store", store.toString(), "--repo", repo.toString(), "--signing-key",
                examples.resolve("keys/recipes/examples.secret.asc").toString(), packages.resolve("tree.yaml").toString(),
                packages.resolve("hello.yaml").toString()));
        assertTrue(built[1].contains("built tree 2.1.0-0kiln1") && built[1].contains("built hello 2.10-0kiln1"), built[1]);
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
