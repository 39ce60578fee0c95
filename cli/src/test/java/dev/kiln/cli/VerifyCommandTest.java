package dev.kiln.cli;

import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.testing.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln verify} on the host's mirror: an image kiln built is rebuilt from the spec and lock
 * it carries, in a fresh store, and matches; a tampered one does not, and the report says where.
 */
class VerifyCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void kilnHome() {
        CliRun.useCheckoutAsHome();
    }

    private static String[] run(String... args) {
        return CliRun.run(args);
    }

    /** examples/static.yaml for amd64, built into a layout named {@code name}. */
    private static Path built(String name) throws IOException {
        Path spec = tmp.resolve(name + ".yaml");
        Files.writeString(spec, Files.readString(HOME.resolve("examples/static.yaml")).replaceAll("(?m)^archs: .*$", "archs: [amd64]"));
        Path out = tmp.resolve(name);
        String[] r = run("build", "-q", "--store", tmp.resolve("store").toString(), "-o", out.toString(), spec.toString());
        assertEquals("0", r[0], r[2]);
        return out;
    }

    private static Path firstLayer(Path layout) throws IOException {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        String manifest = index.get("manifests").get(0).get("digest").asText().substring(7);
        JsonNode m = JSON.readTree(layout.resolve("blobs/sha256/" + manifest).toFile());
        return layout.resolve("blobs/sha256/" + m.get("layers").get(0).get("digest").asText().substring(7));
    }

    @Test
    void anImageKilnBuiltIsRebuiltIdenticallyFromWhatItCarries() throws IOException {
        Path layout = built("good");
        String[] r = run("verify", layout.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("verified " + layout) && r[1].contains("rebuilt identically"), r[1]);
    }

    @Test
    void aFlippedByteInALayerIsFoundAndNamed() throws IOException {
        Path layout = built("flipped");
        Path layer = firstLayer(layout);
        byte[] bytes = Files.readAllBytes(layer);
        bytes[bytes.length / 2] ^= 1;
        layer.toFile().setWritable(true);
        Files.write(layer, bytes);
        String[] r = run("verify", layout.toString());
        assertEquals(Integer.toString(Main.CHECK_FAILED), r[0], r[1] + r[2]);
        assertTrue(r[2].contains("layer layers[0] (sha256:" + layer.getFileName() + "): its bytes hash to sha256:"),
                "the report names the layer and what it holds now: " + r[2]);
        assertFalse(r[2].contains("does not match its rebuild"), "found before anything is rebuilt: " + r[2]);
    }

    @Test
    void anImageVerifiedAgainstAnotherSpecDiffersInTheConfigFieldThatChanged() throws IOException {
        Path layout = built("other-spec");
        Path spec = tmp.resolve("other-spec.yaml");
        Path changed = tmp.resolve("changed.yaml");
        Files.writeString(changed, Files.readString(spec) + "work-dir: /srv\n");
        Path lock = tmp.resolve("changed.lock.json");
        // the same packages, pinned for the changed spec
        String[] l = run("lock", "--store", tmp.resolve("store").toString(), "-o", lock.toString(), changed.toString());
        assertEquals("0", l[0], l[2]);
        String[] r = run("verify", "--spec", changed.toString(), "--lock", lock.toString(), layout.toString());
        assertEquals(Integer.toString(Main.CHECK_FAILED), r[0], r[1] + r[2]);
        assertTrue(r[2].contains("config.WorkingDir"), r[2]);
    }

    @Test
    void aLayoutSkopeoNamedAndKilnSignedIsVerifiedWithoutANameAndByItsName() throws Exception {
        Path layout = built("named");
        Path copy = tmp.resolve("named-copy");
        Process p = new ProcessBuilder("skopeo", "copy", "-q", "oci:" + layout + ":latest", "oci:" + copy + ":v1")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Path keys = tmp.resolve("named-keys");
        assertEquals("0", run("keys", "generate", "k", "--dir", keys.toString())[0]);
        String[] s = run("sign", copy.toString(), "--key", keys.resolve("k.key").toString());
        assertEquals("0", s[0], s[2]);
        // index.json now holds the image (named v1) and its signature (no name): verify finds the
        // image kiln sign found, with or without its name (it refused both before)
        for (String image : java.util.List.of(copy.toString(), copy + ":v1")) {
            String[] r = run("verify", image, "--key", keys.resolve("k.pub").toString());
            assertEquals("0", r[0], r[1] + r[2]);
            assertTrue(r[1].contains("rebuilt identically") && r[1].contains("signature: good"), r[1]);
        }
        String[] wrong = run("verify", copy + ":v2");
        assertEquals(Integer.toString(Main.ERROR), wrong[0], wrong[1] + wrong[2]);
        assertTrue(wrong[2].contains("expected one image named 'v2', found 0 (names: v1)")
                && wrong[2].contains("fix: name one of the images listed\n"), wrong[2]);
    }

    @Test
    void aKeyThatIsMissingOrNotAPublicKeyIsRefusedBeforeTheRebuild() throws IOException {
        Path layout = built("keyed");
        Path keys = tmp.resolve("keyed-keys");
        assertEquals("0", run("keys", "generate", "k", "--dir", keys.toString())[0]);
        long scratchBefore = scratchDirs();
        String[] missing = run("verify", layout.toString(), "--key", keys.resolve("nope.pub").toString());
        assertEquals(Integer.toString(Main.ERROR), missing[0], missing[1] + missing[2]);
        assertTrue(missing[2].contains("cannot read the public key " + keys.resolve("nope.pub") + ": no such file or directory"),
                missing[2]); // an internal error with a stack trace before
        String[] privateKey = run("verify", layout.toString(), "--key", keys.resolve("k.key").toString());
        assertEquals(Integer.toString(Main.ERROR), privateKey[0], privateKey[1] + privateKey[2]);
        assertTrue(privateKey[2].contains("fix: name the .pub file"), privateKey[2]);
        assertTrue(!missing[1].contains("rebuilding") && !privateKey[1].contains("rebuilding"), "no rebuild was started");
        assertEquals(scratchBefore, scratchDirs(), "the temporary directory is removed");
    }

    @Test
    void somethingThatIsNotAnImageIsAClearErrorAndLeavesNothingBehind() throws IOException {
        Path notALayout = Files.createDirectories(tmp.resolve("not-a-layout"));
        long scratchBefore = scratchDirs();
        String[] r = run("verify", notALayout.toString());
        assertEquals(Integer.toString(Main.ERROR), r[0], r[1] + r[2]);
        assertTrue(r[2].contains("is not an OCI image layout") && r[2].contains("fix:"), r[2]);
        String[] s = run("verify", tmp.resolve("no-such-thing").toString());
        assertEquals(Integer.toString(Main.ERROR), s[0], s[1] + s[2]);
        assertTrue(s[2].contains("no such layout directory or archive"), s[2]);
        assertEquals(scratchBefore, scratchDirs(), "the temporary directory is removed");
    }

    @Test
    void aSpecWithoutALockIsRefused() throws IOException {
        Path layout = built("half-inputs");
        String[] r = run("verify", "--spec", tmp.resolve("half-inputs.yaml").toString(), layout.toString());
        assertEquals("2", r[0], r[1] + r[2]); // a usage error, found before anything is opened or rebuilt
        assertTrue(r[2].contains("give both --spec and --lock"), r[2]);
        assertTrue(!r[1].contains("rebuilding"), r[1]);
    }

    private static long scratchDirs() throws IOException {
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("kiln-verify-")).count();
        }
    }

    @Test
    void anImagePushedToARegistryIsVerifiedByDigestWithAnEmptyStoreAndNothingElse() throws Exception {
        assumeTrue(TestRegistry.available(), "docker-registry is installed by .ci/run");
        Path layout = built("pushed");
        try (TestRegistry registry = TestRegistry.start(Files.createTempDirectory(tmp, "registry"))) {
            String[] p = run("build", "-q", "--store", tmp.resolve("store").toString(), "--push",
                    registry.host() + "/kiln/static:v1", tmp.resolve("pushed.yaml").toString());
            assertEquals("0", p[0], p[2]);
            String pushed = p[1].substring(p[1].indexOf("pushed ") + "pushed ".length()).strip();
            String digest = pushed.substring(pushed.indexOf('@') + 1);
            String top = JSON.readTree(layout.resolve("index.json").toFile()).get("manifests").get(0).get("digest").asText();
            assertEquals(top, digest, "the registry holds the image built");
            String[] r = run("verify", registry.host() + "/kiln/static@" + digest);
            assertEquals("0", r[0], r[1] + r[2]);
            assertTrue(r[1].contains("verified " + registry.host() + "/kiln/static@" + digest), r[1]);
        }
    }
}
