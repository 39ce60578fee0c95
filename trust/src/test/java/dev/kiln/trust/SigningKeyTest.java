package dev.kiln.trust;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {
    static final SigningKey KEY = SigningKey.generate();

    @TempDir
    Path tmp;

    @Test
    void signingTheSameBytesTwiceGivesTheSameSignature() {
        byte[] message = "payload".getBytes(UTF_8);
        assertArrayEquals(KEY.sign(message), KEY.sign(message));
        assertFalse(java.util.Arrays.equals(KEY.sign(message), KEY.sign("payload!".getBytes(UTF_8))));
    }

    @Test
    void aSignatureVerifiesOnlyForItsMessageAndKey() {
        byte[] message = "payload".getBytes(UTF_8);
        byte[] sig = KEY.sign(message);
        assertTrue(KEY.verificationKey().verifies(message, sig));
        assertFalse(KEY.verificationKey().verifies("payloaD".getBytes(UTF_8), sig));
        assertFalse(SigningKey.generate().verificationKey().verifies(message, sig));
    }

    @Test
    void everyFlippedBitOfASignatureFailsWithoutThrowing() {
        byte[] message = "payload".getBytes(UTF_8);
        byte[] sig = KEY.sign(message);
        for (int i = 0; i < sig.length * 8; i++) {
            byte[] bad = sig.clone();
            bad[i / 8] ^= (byte) (1 << (i % 8));
            assertFalse(KEY.verificationKey().verifies(message, bad), "bit " + i);
        }
    }

    @Test
    void theFingerprintIsTheSha256OfTheDerPublicKey() {
        String fp = KEY.verificationKey().fingerprint();
        assertTrue(fp.matches("sha256:[0-9a-f]{64}"), fp);
        assertEquals(KEY.verificationKey(), VerificationKey.parsePem(KEY.verificationKey().pem(), "pem"));
        assertEquals(fp, VerificationKey.parsePem(KEY.verificationKey().pem(), "pem").fingerprint());
    }

    @Test
    void thePkcs8FormRoundTrips() {
        SigningKey back = SigningKey.parsePem(KEY.pkcs8Pem(Optional.empty()), "pem", Optional.empty());
        byte[] message = "payload".getBytes(UTF_8);
        assertArrayEquals(KEY.sign(message), back.sign(message), "the same key, so the same deterministic signature");
    }

    // ---- peer: openssl checks kiln's ECDSA signatures ----

    @Test
    void opensslVerifiesKilnsSignatureAndRejectsATamperedMessage() throws Exception {
        assumeTrue(Tools.onPath("openssl"), "openssl is not installed");
        byte[] message = "{\"critical\":{}}".getBytes(UTF_8);
        Files.write(tmp.resolve("msg"), message);
        Files.write(tmp.resolve("msg.sig"), KEY.sign(message));
        Files.writeString(tmp.resolve("k.pub"), KEY.verificationKey().pem());
        assertEquals("Verified OK\n",
                Tools.ok(tmp, "openssl", "dgst", "-sha256", "-verify", "k.pub", "-signature", "msg.sig", "msg"));
        Files.write(tmp.resolve("msg"), "{\"critical\":{ }}".getBytes(UTF_8));
        Tools.Run r = Tools.run(tmp, "openssl", "dgst", "-sha256", "-verify", "k.pub", "-signature", "msg.sig", "msg");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("Verification failure"), r.out());
    }

    @Test
    void kilnVerifiesOpensslsSignature() throws Exception {
        assumeTrue(Tools.onPath("openssl"), "openssl is not installed");
        Files.writeString(tmp.resolve("k.key"), KEY.pkcs8Pem(Optional.empty()));
        byte[] message = "signed by openssl".getBytes(UTF_8);
        Files.write(tmp.resolve("msg"), message);
        Tools.ok(tmp, "openssl", "dgst", "-sha256", "-sign", "k.key", "-out", "msg.sig", "msg");
        assertTrue(KEY.verificationKey().verifies(message, Files.readAllBytes(tmp.resolve("msg.sig"))));
    }
}
