package dev.kiln.builder.repo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.builder.RecipeException;
import dev.kiln.fetcher.pgp.Keyring;
import dev.kiln.fetcher.pgp.SignatureVerifier;
import dev.kiln.fetcher.pgp.VerifiedDocument;
import dev.kiln.fetcher.testing.TestKey;
import dev.kiln.store.KilnException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key pair files, and that a recipes key neither breaks nor joins the keys every spec trusts. */
class PgpKeysTest {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    Path tmp;

    @Test
    void writesAnArmoredPublicKeyAndASecretKeyOnlyItsOwnerReads() throws Exception {
        PgpKeys.Written w = PgpKeys.write(tmp.resolve("keys/recipes"), "recipes", NOW);
        assertEquals(tmp.resolve("keys/recipes/recipes.asc"), w.publicKey());
        assertEquals(tmp.resolve("keys/recipes/recipes.secret.asc"), w.secretKey());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(w.publicKey())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(w.secretKey())));
        assertTrue(Files.readString(w.publicKey()).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
        assertEquals(w.fingerprint(), PgpSigningKey.load(w.secretKey()).fingerprint());
        RecipeException missing = assertThrows(RecipeException.class, () -> PgpSigningKey.load(tmp.resolve("none.secret.asc")));
        assertEquals("recipe.repository", missing.code());
        assertEquals(List.of(w.fingerprint()), Keyring.load(w.publicKey()).fingerprints());
        assertFalse(Files.exists(tmp.resolve("keys/recipes/.gitignore")), "not in a git work tree");
    }

    @Test
    void kilnsVerifierAcceptsItsSignaturesOfOldAndNewDates() throws Exception {
        PgpKeys.Generated g = PgpKeys.generate("recipes", NOW.minus(Duration.ofDays(1)));
        PgpSigningKey key = PgpSigningKey.parse(g.secretKey(), "secret");
        byte[] text = "Origin: kiln\nDate: x\n-dash line\n".getBytes(UTF_8);
        SignatureVerifier verifier = new SignatureVerifier(Keyring.parse(g.publicKey(), "recipes.asc"), NOW);
        VerifiedDocument doc = verifier.verifyClearsigned(key.clearsign(text, NOW.minus(Duration.ofHours(1))), "InRelease");
        assertArrayEqualsText(text, doc.content());
        assertEquals(List.of(g.fingerprint()), doc.signerFingerprints());
        verifier.verifyDetached(text, key.detachSign(text, NOW.minus(Duration.ofHours(2))), "Release");
        assertEquals(new String(key.clearsign(text, NOW), UTF_8), new String(key.clearsign(text, NOW), UTF_8), "deterministic");
    }

    private static void assertArrayEqualsText(byte[] expected, byte[] actual) {
        assertEquals(new String(expected, UTF_8).strip(), new String(actual, UTF_8).strip());
    }

    @Test
    void aSecretKeyInKeysRecipesDoesNotBreakLoadingKeysAndIsNotTrustedFromThere() throws Exception {
        Path keys = tmp.resolve("keys");
        TestKey debian = TestKey.generate("Debian fixture <debian@fixture.test>");
        Files.createDirectories(keys);
        debian.writePublicKey(keys.resolve("debian.asc"));
        PgpKeys.Written w = PgpKeys.write(keys.resolve("recipes"), "recipes", NOW);
        Keyring trusted = Keyring.load(keys);
        assertEquals(List.of(debian.fingerprint()), trusted.fingerprints(), "keys/ is read without its subdirectories");
        // the directory itself is no keyring: a secret key there is refused, as in keys/
        KilnException e = assertThrows(KilnException.class, () -> Keyring.load(w.secretKey().getParent()));
        assertTrue(e.getMessage().contains("SECRET"), e.getMessage());
    }

    @Test
    void insideAGitWorkTreeTheSecretKeyIsIgnoredByGit() throws Exception {
        Path project = tmp.resolve("project");
        Files.createDirectories(project);
        Process init = new ProcessBuilder("git", "init", "-q", project.toString()).redirectErrorStream(true).start();
        assertTrue(init.waitFor(60, TimeUnit.SECONDS) && init.exitValue() == 0);
        PgpKeys.Written w = PgpKeys.write(project.resolve("keys/recipes"), "recipes", NOW);
        assertEquals(project.resolve("keys/recipes/.gitignore"), w.ignoredBy().orElseThrow());
        assertEquals(0, git(project, "check-ignore", "-q", "keys/recipes/recipes.secret.asc"));
        assertEquals(1, git(project, "check-ignore", "-q", "keys/recipes/recipes.asc"), "the public key is committed");
    }

    private static int git(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue();
    }

    @Test
    void anExistingKeyIsNeverOverwritten() throws Exception {
        PgpKeys.Written w = PgpKeys.write(tmp, "recipes", NOW);
        byte[] before = Files.readAllBytes(w.secretKey());
        RecipeException e = assertThrows(RecipeException.class, () -> PgpKeys.write(tmp, "recipes", NOW));
        assertEquals("recipe.repository", e.code());
        assertTrue(e.getMessage().contains("refusing to overwrite"), e.getMessage());
        assertEquals(new String(before, UTF_8), Files.readString(w.secretKey()));
        assertThrows(RecipeException.class, () -> PgpKeys.write(tmp, "../x", NOW));
    }
}
