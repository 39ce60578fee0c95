package dev.kiln.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.builder.RecipeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Caches, bind mounts, tmpfs and secrets on a step, run for real under the host's bwrap. */
class SandboxMountsTest {
    private static final String SECRET = "s3cr3t-Value-42";
    private static Path base;
    private static Path root;
    private static Sandbox sandbox;

    @BeforeAll
    static void makeRoot() throws Exception {
        base = Files.createTempDirectory("kiln-mounts-test");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        root = HostToolsRoot.write(Files.createDirectory(base.resolve("root")));
        sandbox = Sandbox.onPath("/usr/bin:/bin");
    }

    @AfterAll
    static void remove() throws IOException {
        try (var s = Files.walk(base)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static List<String> run(Step step) {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        sandbox.run(step.withOutput(lines::add));
        return List.copyOf(lines);
    }

    private static Step step(String script, Mount... mounts) throws IOException {
        return Step.of("mount step", script, root, Files.createTempDirectory(base, "ws")).withMounts(List.of(mounts));
    }

    @Test
    void aCacheIsWritableAndKeptWhileABindMountIsReadOnly() throws IOException {
        Path cache = Files.createTempDirectory(base, "cache");
        Path data = Files.createTempDirectory(base, "data");
        Files.writeString(data.resolve("in.txt"), "given\n");
        List<String> out = run(step("echo hit > /cache/c/marker; cat /mnt/data/in.txt;"
                        + " if touch /mnt/data/x 2>/dev/null; then echo writable; else echo read-only; fi",
                new Mount.Directory(cache, "/cache/c", true), new Mount.Directory(data, "/mnt/data", false)));
        assertEquals(List.of("given", "read-only"), out);
        assertEquals("hit\n", Files.readString(cache.resolve("marker")));
        assertFalse(Files.exists(data.resolve("x")));
    }

    @Test
    void aTargetBwrapCannotMakeIsRefusedBeforeTheStepRuns() throws IOException {
        RecipeException e = assertThrows(RecipeException.class, () -> run(step("true",
                new Mount.Directory(Files.createTempDirectory(base, "c"), "/usr/lib/nothing-here", true))));
        assertEquals("recipe.sandbox", e.code());
        assertTrue(e.getMessage().contains("/usr/lib/nothing-here"), e.getMessage());
    }

    @Test
    void aTmpfsIsBoundedAndGoneAfterTheStep() throws IOException {
        Step s = step("dd if=/dev/zero of=/scratch/big bs=4096 count=64 2>/dev/null && echo fitted || echo full",
                new Mount.Tmpfs("/scratch", 65536));
        assertEquals(List.of("full"), run(s));
        assertEquals(List.of("absent"), run(step("test -e /scratch/big && echo present || echo absent",
                new Mount.Tmpfs("/scratch", 1 << 20))));
    }

    @Test
    void aSecretIsAFileOfMode0400AndNeverInTheArgvNorTheOutput() throws IOException {
        Mount.Secret secret = new Mount.Secret("token", "/run/secrets/token", SECRET.getBytes(StandardCharsets.UTF_8));
        Step s = step("stat -c %a /run/secrets/token; cat /run/secrets/token; echo; base64 /run/secrets/token;"
                + " echo 0$(cat /run/secrets/token)", secret);
        assertFalse(String.join(" ", sandbox.command(s)).contains(SECRET), "the value is on no command line");
        List<String> out = run(s);
        assertEquals("400", out.get(0));
        assertEquals(List.of(SecretScan.MASK, SecretScan.MASK, "0" + SecretScan.MASK), out.subList(1, 4), "the output is scrubbed");
        assertFalse(String.join("\n", out).contains(SECRET));
        assertFalse(secret.toString().contains(SECRET));
    }

    @Test
    void twoSecretsAndAFailingStepScrubTheErrorToo() throws IOException {
        Step s = step("cat /run/secrets/a; echo; cat /k/b; echo; exit 3",
                new Mount.Secret("a", "/run/secrets/a", SECRET.getBytes(StandardCharsets.UTF_8)),
                new Mount.Secret("b", "/k/b", "other-value-7".getBytes(StandardCharsets.UTF_8)));
        RecipeException e = assertThrows(RecipeException.class, () -> run(s));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertFalse(e.getMessage().contains("other-value-7"), e.getMessage());
        assertTrue(e.getMessage().contains(SecretScan.MASK), e.getMessage());
    }

    @Test
    void aStepThatCannotStartReleasesTheSecretsPipe() throws IOException {
        // a secret onto a directory: bwrap fails after or before reading the pipe, and the writer is released
        Step s = step("true", new Mount.Secret("a", "/home/build", SECRET.getBytes(StandardCharsets.UTF_8)));
        assertThrows(RecipeException.class, () -> sandbox.run(s));
    }

    @Test
    void theScanFindsRawHexAndBase64AtEveryAlignment() throws IOException {
        SecretScan scan = SecretScan.of(List.of(SECRET.getBytes(StandardCharsets.UTF_8)));
        Path dir = Files.createTempDirectory(base, "scan");
        Files.writeString(dir.resolve("clean"), "nothing here");
        assertTrue(scan.firstIn(dir).isEmpty());
        for (int pad = 0; pad < 3; pad++) {
            byte[] padded = ("x".repeat(pad) + SECRET + "tail").getBytes(StandardCharsets.UTF_8);
            assertTrue(scan.foundIn(Base64.getEncoder().encode(padded)), "alignment " + pad);
            assertTrue(scan.foundIn(Base64.getUrlEncoder().encode(padded)), "url alignment " + pad);
        }
        assertTrue(scan.foundIn(java.util.HexFormat.of().formatHex(SECRET.getBytes(StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII)));
        byte[] big = new byte[200_000];
        byte[] s = SECRET.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(s, 0, big, (1 << 16) - 3, s.length); // across the scan's buffer boundary
        Files.createDirectories(dir.resolve("sub"));
        Files.write(dir.resolve("sub/blob"), big);
        assertEquals(Path.of("sub/blob"), scan.firstIn(dir).orElseThrow());
    }
}
