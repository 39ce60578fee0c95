package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.builder.repo.PgpSigningKey;
import dev.kiln.fetcher.pgp.Keyring;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln keys generate NAME --openpgp}: the key pair that signs a recipes repository. */
class KeysOpenPgpCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheArmoredPublicKeyAndTheSecretKeyThatSigns() throws Exception {
        Path dir = tmp.resolve("keys/recipes");
        String[] r = CliRun.run("keys", "generate", "recipes", "--openpgp", "--dir", dir.toString());
        assertEquals("0", r[0], r[2]);
        Path pub = dir.resolve("recipes.asc");
        Path secret = dir.resolve("recipes.secret.asc");
        String fingerprint = Keyring.load(pub).fingerprints().get(0);
        assertEquals("public key " + pub + " (" + fingerprint + ")\nsecret key " + secret + " (not encrypted: keep it secret)\n", r[1]);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
        assertEquals(fingerprint, PgpSigningKey.parse(Files.readAllBytes(secret), "secret").fingerprint());
    }

    @Test
    void anExistingKeyIsRefusedWithExitThree() {
        assertEquals("0", CliRun.run("keys", "generate", "k", "--openpgp", "--dir", tmp.toString())[0]);
        String[] r = CliRun.run("keys", "generate", "k", "--openpgp", "--dir", tmp.toString());
        assertEquals("3", r[0]);
        assertTrue(r[2].contains("refusing to overwrite the existing key"), r[2]);
    }

    @Test
    void aPasswordDoesNotApplyToAnOpenPgpKey() {
        String[] r = CliRun.run("keys", "generate", "k", "--openpgp", "--password-stdin", "--dir", tmp.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--password-stdin does not apply to --openpgp"), r[2]);
        assertFalse(Files.exists(tmp.resolve("k.asc")));
    }
}
