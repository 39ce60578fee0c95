package dev.kiln.fetcher.pgp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.fetcher.FetchException;
import dev.kiln.fetcher.testing.TestKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringTest {
    private static final TestKey ALICE = TestKey.generate("Alice <alice@kiln.test>");
    private static final TestKey BOB = TestKey.generate("Bob <bob@kiln.test>");
    private static final TestKey CAROL = TestKey.generate("Carol <carol@kiln.test>");

    @TempDir
    Path dir;

    /** The project's keys/ directory, found from the module directory or the repository root. */
    static Path shippedKeys() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isDirectory(at.resolve("keys")) && Files.exists(at.resolve("pom.xml"))) {
                return at.resolve("keys");
            }
        }
        throw new IllegalStateException("keys/ not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void shippedKeysDirectoryLoadsTheSixDebianKeys() {
        Keyring keyring = Keyring.load(shippedKeys());

        assertEquals(List.of(
                "04B54C3CDCA79751B16BC6B5225629DF75B188BD", // archive automatic signing key (13/trixie)
                "05AB90340C0C5E797F44A8C8254CF3B5AEC0A8F0", // security archive automatic signing key (12/bookworm)
                "41587F7DB8C774BCCF131416762F67A0B2C39DE4", // stable release key (13/trixie), ed25519
                "4D64FEC119C2029067D6E791F8D2585B8783D481", // stable release key (12/bookworm), ed25519
                "5E04A1E3223A19A20706E20F9904613D4CCE68C6", // security archive automatic signing key (13/trixie)
                "B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8"), // archive automatic signing key (12/bookworm)
                keyring.fingerprints());
    }

    @Test
    void directoryReadsAscGpgAndPgpFilesAndIgnoresOthers() throws IOException {
        ALICE.writePublicKey(dir.resolve("a.asc"));
        BOB.writePublicKey(dir.resolve("b.gpg"));
        CAROL.writePublicKey(dir.resolve("c.pgp"));
        Files.writeString(dir.resolve("README"), "not a key");

        Keyring keyring = Keyring.load(dir);

        assertEquals(Stream.of(ALICE, BOB, CAROL).map(TestKey::fingerprint).sorted().toList(), keyring.fingerprints());
    }

    @Test
    void singleFileIsReadAlone() throws IOException {
        ALICE.writePublicKey(dir.resolve("a.asc"));
        BOB.writePublicKey(dir.resolve("b.asc"));

        assertEquals(List.of(ALICE.fingerprint()), Keyring.load(dir.resolve("a.asc")).fingerprints());
    }

    @Test
    void armoredFileWithSeveralKeyBlocksReadsThemAll() {
        String both = new String(ALICE.publicKeyArmored(), UTF_8) + "\n" + new String(BOB.publicKeyArmored(), UTF_8);

        Keyring keyring = Keyring.parse(both.getBytes(UTF_8), "both.asc");

        assertEquals(Stream.of(ALICE, BOB).map(TestKey::fingerprint).sorted().toList(), keyring.fingerprints());
    }

    @Test
    void unionTrustsBothAndMergesTheSameKey() {
        Keyring union = ALICE.keyring().union(BOB.keyring()).union(ALICE.keyring());

        assertEquals(Stream.of(ALICE, BOB).map(TestKey::fingerprint).sorted().toList(), union.fingerprints());
    }

    @Test
    void revocationFromAnotherFileAppliesToTheMergedKey() {
        byte[] text = "Suite: stable\n".getBytes(UTF_8);
        Keyring merged = ALICE.keyring().union(ALICE.revoked().keyring());

        SignatureException refused = assertThrows(SignatureException.class,
                () -> new SignatureVerifier(merged, java.time.Instant.now()).verifyClearsigned(ALICE.clearsign(text), "InRelease"));

        assertEquals(SignatureException.Reason.REVOKED_KEY, refused.reason());
    }

    @Test
    void damagedKeyFileIsRefusedNamingTheFile() throws IOException {
        Path damaged = dir.resolve("damaged.gpg");
        byte[] key = ALICE.publicKeyBinary();
        Files.write(damaged, java.util.Arrays.copyOf(key, key.length / 2));

        FetchException refused = assertThrows(FetchException.class, () -> Keyring.load(damaged));

        assertTrue(refused.getMessage().contains(damaged.toString()), refused.getMessage());
        assertEquals("fetch.keys", refused.code());
    }

    @Test
    void textThatIsNotAKeyIsRefusedNamingTheFile() throws IOException {
        Path notAKey = Files.writeString(dir.resolve("notes.asc"), "see the website for our key\n");

        FetchException refused = assertThrows(FetchException.class, () -> Keyring.load(notAKey));

        assertTrue(refused.getMessage().contains("notes.asc"), refused.getMessage());
    }

    @Test
    void secretKeyBlockIsRefused() {
        byte[] secret = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxx\n-----END PGP PRIVATE KEY BLOCK-----\n".getBytes(UTF_8);

        FetchException refused = assertThrows(FetchException.class, () -> Keyring.parse(secret, "secret.asc"));

        assertTrue(refused.getMessage().contains("SECRET"), refused.getMessage());
    }

    @Test
    void gnupgKeyboxIsRefusedWithHowToExport() {
        byte[] keybox = {0, 0, 0, 32, 1, 1, 0, 0, 'K', 'B', 'X', 'f', 0, 0, 0, 0};

        FetchException refused = assertThrows(FetchException.class, () -> Keyring.parse(keybox, "pubring.kbx.gpg"));

        assertTrue(refused.getMessage().contains("gpg --export"), refused.getMessage());
    }

    @Test
    void directoryWithoutKeyFilesIsRefused() {
        FetchException refused = assertThrows(FetchException.class, () -> Keyring.load(dir));

        assertTrue(refused.getMessage().contains(dir.toString()), refused.getMessage());
    }

    @Test
    void missingPathIsRefused() {
        assertThrows(FetchException.class, () -> Keyring.load(dir.resolve("nope.asc")));
    }
}
