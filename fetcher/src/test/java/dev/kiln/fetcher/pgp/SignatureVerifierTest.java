package dev.kiln.fetcher.pgp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.fetcher.pgp.SignatureException.Reason;
import dev.kiln.fetcher.testing.TestKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SignatureVerifierTest {
    /** Release-like text with what clearsigning has to get right: dashes, "From ", empty lines. */
    private static final String RELEASE = """
            Origin: Kiln Test
            Suite: stable
            Date: Sat, 21 Nov 2026 09:15:44 UTC
            Description: a line that -----BEGIN PGP SIGNATURE----- does not end
            -----BEGIN PGP SIGNATURE----- (dash-escaped, must not end the text)
            - a line that starts with a dash and a space
            From here on, a mbox-style From line

            SHA256:
             0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9   1234 main/binary-amd64/Packages
            """;

    private static final TestKey KEY = TestKey.generate("Kiln Test Archive <archive@kiln.test>");
    private static final TestKey OTHER = TestKey.generate("Somebody Else <else@kiln.test>");

    private static SignatureVerifier trusting(TestKey... keys) {
        Keyring keyring = Stream.of(keys).map(TestKey::keyring).reduce(Keyring::union).orElseThrow();
        return new SignatureVerifier(keyring, Instant.now());
    }

    private static byte[] withoutFinalNewline(String text) {
        return text.substring(0, text.length() - 1).getBytes(UTF_8);
    }

    private static Reason refusal(Runnable verification) {
        return assertThrows(SignatureException.class, verification::run).reason();
    }

    @Test
    void goodClearsignedFileIsAcceptedAndContentIsTheSignedTextExactly() {
        Instant signedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        byte[] inRelease = KEY.clearsign(RELEASE.getBytes(UTF_8), signedAt);

        VerifiedDocument document = trusting(KEY).verifyClearsigned(inRelease, "InRelease");

        assertArrayEquals(withoutFinalNewline(RELEASE), document.content());
        assertEquals(List.of(KEY.fingerprint()), document.signerFingerprints());
        assertEquals(signedAt, document.signedAt());
    }

    @Test
    void trailingWhitespaceAndCarriageReturnsAreNotSignedAndNotReturned() {
        byte[] inRelease = KEY.clearsign("Origin: Kiln  \r\nSuite: stable\t\n\nLabel: x \n".getBytes(UTF_8));

        VerifiedDocument document = trusting(KEY).verifyClearsigned(inRelease, "InRelease");

        assertArrayEquals("Origin: Kiln\nSuite: stable\n\nLabel: x".getBytes(UTF_8), document.content());
    }

    @Test
    void whitespaceAddedAtLineEndsAfterSigningDoesNotReachTheContent() {
        String signed = new String(KEY.clearsign(RELEASE.getBytes(UTF_8)), UTF_8);
        byte[] padded = signed.replace("Suite: stable\n", "Suite: stable   \t\n").getBytes(UTF_8);

        VerifiedDocument document = trusting(KEY).verifyClearsigned(padded, "InRelease");

        assertArrayEquals(withoutFinalNewline(RELEASE), document.content());
    }

    @Test
    void goodDetachedSignatureIsAcceptedAndContentIsReturnedAsGiven() {
        byte[] release = RELEASE.getBytes(UTF_8);

        VerifiedDocument document = trusting(KEY).verifyDetached(release, KEY.detachSign(release), "Release.gpg");

        assertArrayEquals(release, document.content());
        assertEquals(List.of(KEY.fingerprint()), document.signerFingerprints());
    }

    @Test
    void signatureByAnUnknownKeyNextToAGoodOneIsIgnored() {
        byte[] inRelease = TestKey.clearsign(RELEASE.getBytes(UTF_8), List.of(OTHER, KEY));

        VerifiedDocument document = trusting(KEY).verifyClearsigned(inRelease, "InRelease");

        assertEquals(List.of(KEY.fingerprint()), document.signerFingerprints());
    }

    @Test
    void everyTrustedSignerIsNamedAndTheEarliestSignatureDatesTheDocument() {
        Instant earlier = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(300);
        Instant later = earlier.plusSeconds(120);
        byte[] release = RELEASE.getBytes(UTF_8);
        byte[] signatures = TestKey.detachSign(release, List.of(KEY.signingAt(later), OTHER.signingAt(earlier)));

        VerifiedDocument document = trusting(KEY, OTHER).verifyDetached(release, signatures, "Release.gpg");

        assertEquals(Stream.of(KEY.fingerprint(), OTHER.fingerprint()).sorted().toList(), document.signerFingerprints());
        assertEquals(earlier, document.signedAt());
    }

    @Test
    void alteredContentIsRefusedAsBadSignature() {
        String signed = new String(KEY.clearsign(RELEASE.getBytes(UTF_8)), UTF_8);
        byte[] altered = signed.replace("1234 main/binary-amd64/Packages", "1235 main/binary-amd64/Packages").getBytes(UTF_8);

        SignatureException refused = assertThrows(SignatureException.class,
                () -> trusting(KEY).verifyClearsigned(altered, "InRelease"));

        assertEquals(Reason.BAD_SIGNATURE, refused.reason());
        assertEquals("fetch.signature.bad-signature", refused.code());
        assertTrue(refused.getMessage().contains(KEY.fingerprint()), refused.getMessage());
    }

    @Test
    void alteredDetachedContentIsRefusedAsBadSignature() {
        byte[] signature = KEY.detachSign(RELEASE.getBytes(UTF_8));
        byte[] altered = RELEASE.replace("stable", "stabel").getBytes(UTF_8);

        assertEquals(Reason.BAD_SIGNATURE, refusal(() -> trusting(KEY).verifyDetached(altered, signature, "Release")));
    }

    @Test
    void badSignatureByATrustedKeyIsRefusedEvenNextToAGoodOne() {
        byte[] release = RELEASE.getBytes(UTF_8);
        String good = new String(KEY.detachSign(release), UTF_8);
        String bad = new String(OTHER.detachSign("something else".getBytes(UTF_8)), UTF_8);
        byte[] both = (good + bad).getBytes(UTF_8);

        assertEquals(Reason.BAD_SIGNATURE, refusal(() -> trusting(KEY, OTHER).verifyDetached(release, both, "Release.gpg")));
    }

    @Test
    void signaturesOnlyByUnknownKeysAreRefusedNamingTheSignerAndTheTrustedKeys() {
        byte[] inRelease = OTHER.clearsign(RELEASE.getBytes(UTF_8));

        SignatureException refused = assertThrows(SignatureException.class,
                () -> trusting(KEY).verifyClearsigned(inRelease, "http://mirror.test/dists/stable/InRelease"));

        assertEquals(Reason.UNKNOWN_KEY, refused.reason());
        String message = refused.getMessage();
        assertTrue(message.startsWith("http://mirror.test/dists/stable/InRelease: "), message);
        assertTrue(message.contains(OTHER.fingerprint()), message);
        assertTrue(message.contains(KEY.fingerprint()), message);
        assertTrue(message.contains("keys/") && message.contains("signed-by="), message);
    }

    @Test
    void signatureMadeAfterTheKeyExpiredIsRefused() {
        Instant now = Instant.now();
        TestKey expired = TestKey.generate("Expired <expired@kiln.test>", now.minus(Duration.ofDays(30)), Duration.ofDays(10));
        byte[] inRelease = expired.clearsign(RELEASE.getBytes(UTF_8), now.minus(Duration.ofDays(1)));

        assertEquals(Reason.EXPIRED_KEY, refusal(() -> trusting(expired).verifyClearsigned(inRelease, "InRelease")));
    }

    @Test
    void signatureMadeWhileTheKeyWasValidIsRefusedOnceTheKeyHasExpired() {
        Instant now = Instant.now();
        TestKey expired = TestKey.generate("Expired <expired@kiln.test>", now.minus(Duration.ofDays(30)), Duration.ofDays(10));
        byte[] inRelease = expired.clearsign(RELEASE.getBytes(UTF_8), now.minus(Duration.ofDays(25)));

        assertEquals(Reason.EXPIRED_KEY, refusal(() -> trusting(expired).verifyClearsigned(inRelease, "InRelease")));
        // the same signature checked at a time when the key was still valid is good
        new SignatureVerifier(expired.keyring(), now.minus(Duration.ofDays(24))).verifyClearsigned(inRelease, "InRelease");
    }

    @Test
    void revokedKeyIsRefused() {
        TestKey revoked = KEY.revoked();
        byte[] inRelease = revoked.clearsign(RELEASE.getBytes(UTF_8));

        SignatureException refused = assertThrows(SignatureException.class,
                () -> trusting(revoked).verifyClearsigned(inRelease, "InRelease"));

        assertEquals(Reason.REVOKED_KEY, refused.reason());
        assertTrue(refused.getMessage().contains("key compromised"), refused.getMessage());
    }

    @Test
    void signingSubkeyOfATrustedPrimaryKeyIsAcceptedAndThePrimaryIsNamed() {
        TestKey withSubkey = KEY.withSigningSubkey();
        byte[] inRelease = withSubkey.clearsign(RELEASE.getBytes(UTF_8));

        VerifiedDocument document = trusting(withSubkey).verifyClearsigned(inRelease, "InRelease");

        assertEquals(List.of(KEY.fingerprint()), document.signerFingerprints());
    }

    @Test
    void expiredSigningSubkeyIsRefused() {
        Instant now = Instant.now();
        TestKey expiredSubkey = KEY.withSigningSubkey(now.minus(Duration.ofDays(30)), Duration.ofDays(10));
        byte[] inRelease = expiredSubkey.clearsign(RELEASE.getBytes(UTF_8), now.minus(Duration.ofDays(25)));

        assertEquals(Reason.EXPIRED_KEY, refusal(() -> trusting(expiredSubkey).verifyClearsigned(inRelease, "InRelease")));
    }

    @Test
    void revokedSigningSubkeyIsRefused() {
        TestKey revokedSubkey = KEY.withSigningSubkey().withSubkeyRevoked();
        byte[] inRelease = revokedSubkey.clearsign(RELEASE.getBytes(UTF_8));

        assertEquals(Reason.REVOKED_KEY, refusal(() -> trusting(revokedSubkey).verifyClearsigned(inRelease, "InRelease")));
    }

    @Test
    void sha1SignatureIsRefusedAsWeakDigest() {
        byte[] inRelease = KEY.withDigest("SHA1").clearsign(RELEASE.getBytes(UTF_8));

        SignatureException refused = assertThrows(SignatureException.class,
                () -> trusting(KEY).verifyClearsigned(inRelease, "InRelease"));

        assertEquals(Reason.WEAK_DIGEST, refused.reason());
        assertTrue(refused.getMessage().contains("SHA1"), refused.getMessage());
    }

    @Test
    void textBeforeTheSignedBlockIsRefused() {
        byte[] inRelease = concat("Origin: Evil\n".getBytes(UTF_8), KEY.clearsign(RELEASE.getBytes(UTF_8)));

        SignatureException refused = assertThrows(SignatureException.class,
                () -> trusting(KEY).verifyClearsigned(inRelease, "InRelease"));

        assertEquals(Reason.UNSIGNED_TEXT, refused.reason());
        assertTrue(refused.getMessage().contains("apt refuses"), refused.getMessage());
    }

    @Test
    void textAfterTheSignatureIsRefused() {
        byte[] inRelease = concat(KEY.clearsign(RELEASE.getBytes(UTF_8)), "\nSuite: evil\n".getBytes(UTF_8));

        assertEquals(Reason.UNSIGNED_TEXT, refusal(() -> trusting(KEY).verifyClearsigned(inRelease, "InRelease")));
    }

    @Test
    void blankLinesAfterTheSignatureAreAccepted() {
        byte[] inRelease = concat(KEY.clearsign(RELEASE.getBytes(UTF_8)), "\n \n".getBytes(UTF_8));

        trusting(KEY).verifyClearsigned(inRelease, "InRelease");
    }

    @Test
    void unsignedFileIsRefusedAsNotSigned() {
        SignatureException refused = assertThrows(SignatureException.class,
                () -> trusting(KEY).verifyClearsigned(RELEASE.getBytes(UTF_8), "InRelease"));

        assertEquals(Reason.NOT_SIGNED, refused.reason());
        assertTrue(refused.getMessage().contains("Origin: Kiln Test"), refused.getMessage());
    }

    @Test
    void emptyDetachedSignatureIsRefusedAsNotSigned() {
        assertEquals(Reason.NOT_SIGNED,
                refusal(() -> trusting(KEY).verifyDetached(RELEASE.getBytes(UTF_8), new byte[0], "Release.gpg")));
    }

    @Test
    void signatureDatedInTheFutureBeyondTheClockSkewIsRefused() {
        Instant future = Instant.now().plus(SignatureVerifier.CLOCK_SKEW).plus(Duration.ofMinutes(10));
        byte[] inRelease = KEY.clearsign(RELEASE.getBytes(UTF_8), future);

        assertEquals(Reason.FUTURE_SIGNATURE, refusal(() -> trusting(KEY).verifyClearsigned(inRelease, "InRelease")));
    }

    @Test
    void signatureDatedSlightlyInTheFutureWithinTheClockSkewIsAccepted() {
        byte[] inRelease = KEY.clearsign(RELEASE.getBytes(UTF_8), Instant.now().plus(Duration.ofMinutes(10)));

        trusting(KEY).verifyClearsigned(inRelease, "InRelease");
    }

    @Test
    void lineStartingWithADashThatIsNotDashEscapedIsRefused() {
        String signed = new String(KEY.clearsign(RELEASE.getBytes(UTF_8)), UTF_8);
        byte[] unescaped = signed.replace("- - a line that starts", "- a line that starts").getBytes(UTF_8);
        byte[] raw = signed.replace("\n- - a line", "\n-- a line").getBytes(UTF_8);

        assertEquals(Reason.BAD_SIGNATURE, refusal(() -> trusting(KEY).verifyClearsigned(unescaped, "InRelease")));
        assertEquals(Reason.MALFORMED, refusal(() -> trusting(KEY).verifyClearsigned(raw, "InRelease")));
    }

    @Test
    void unknownClearsignHeaderIsRefused() {
        String signed = new String(KEY.clearsign(RELEASE.getBytes(UTF_8)), UTF_8);
        byte[] extraHeader = signed.replace("Hash: SHA256\n", "Hash: SHA256\nNotDashEscaped: yes\n").getBytes(UTF_8);

        assertEquals(Reason.MALFORMED, refusal(() -> trusting(KEY).verifyClearsigned(extraHeader, "InRelease")));
    }

    @Test
    void signatureWithADigestTheHashHeaderDoesNotAnnounceIsRefused() {
        String signed = new String(KEY.clearsign(RELEASE.getBytes(UTF_8)), UTF_8);
        byte[] mislabelled = signed.replace("Hash: SHA256\n", "Hash: SHA512\n").getBytes(UTF_8);

        assertEquals(Reason.MALFORMED, refusal(() -> trusting(KEY).verifyClearsigned(mislabelled, "InRelease")));
    }

    @Test
    void detachedSignatureGivenAsInReleaseIsRefusedAsNotSigned() {
        byte[] signature = KEY.detachSign(RELEASE.getBytes(UTF_8));

        SignatureException refused = assertThrows(SignatureException.class,
                () -> trusting(KEY).verifyClearsigned(signature, "InRelease"));

        assertEquals(Reason.NOT_SIGNED, refused.reason());
        assertTrue(refused.getMessage().contains("detached signature"), refused.getMessage());
    }

    @Test
    void truncatedSignatureBlockIsRefusedAsMalformed() {
        String signed = new String(KEY.clearsign(RELEASE.getBytes(UTF_8)), UTF_8);
        byte[] truncated = signed.substring(0, signed.indexOf("-----END PGP SIGNATURE-----")).getBytes(UTF_8);

        assertEquals(Reason.MALFORMED, refusal(() -> trusting(KEY).verifyClearsigned(truncated, "InRelease")));
    }

    @Test
    void rsaSignatureIsAccepted() {
        TestKey rsa = RsaKey.KEY;
        byte[] release = RELEASE.getBytes(UTF_8);

        VerifiedDocument document = trusting(rsa).verifyDetached(release, rsa.detachSign(release), "Release.gpg");

        assertEquals(List.of(rsa.fingerprint()), document.signerFingerprints());
    }

    @Test
    void rsaSignatureOverAlteredContentIsRefusedAsBadSignature() {
        TestKey rsa = RsaKey.KEY;
        byte[] signature = rsa.detachSign(RELEASE.getBytes(UTF_8));
        byte[] altered = RELEASE.replace("stable", "stabel").getBytes(UTF_8);

        assertEquals(Reason.BAD_SIGNATURE, refusal(() -> trusting(rsa).verifyDetached(altered, signature, "Release.gpg")));
    }

    @Test
    void signatureDatedBeforeTheKeyWasCreatedIsRefused() {
        byte[] inRelease = KEY.clearsign(RELEASE.getBytes(UTF_8), KEY.created().minus(Duration.ofDays(1)));

        assertEquals(Reason.UNUSABLE_KEY, refusal(() -> trusting(KEY).verifyClearsigned(inRelease, "InRelease")));
    }

    /** Made on first use only: RSA keys take a moment. */
    private static final class RsaKey {
        static final TestKey KEY = TestKey.generateRsa("Kiln RSA Archive <rsa@kiln.test>", 2048);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
