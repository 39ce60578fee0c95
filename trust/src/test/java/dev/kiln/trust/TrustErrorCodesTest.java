package dev.kiln.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.store.ErrorCodeCheck;
import dev.kiln.trust.VerificationException.Artifact;
import dev.kiln.trust.VerificationException.Problem;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trust module's error codes (keys, signing, verification) are published names: pinned here, listed in the README. */
class TrustErrorCodesTest {
    @Test
    void everyExceptionClassOfTheTrustModuleIsOneThisTestKnows() {
        assertEquals(List.of(TrustException.class.getName(), VerificationException.class.getName()),
                ErrorCodeCheck.exceptionClasses(TrustException.class));
    }

    @Test
    void aVerificationNamesWhatWasLookedForAndWhyNoneVerified() {
        assertEquals("trust", new TrustException("x").code());
        assertEquals("trust.signature.wrong-key", new VerificationException(Artifact.SIGNATURE, Problem.WRONG_KEY, "x").code());
        assertEquals("trust.attestation.missing", new VerificationException(Artifact.ATTESTATION, Problem.NO_SIGNATURE, "x").code());
    }

    @Test
    void theCodesArePinnedAndTheReadmeListsThem() {
        List<String> codes = new ArrayList<>();
        for (TrustException.Kind k : TrustException.Kind.values()) {
            codes.add(k.code());
        }
        for (Artifact a : Artifact.values()) {
            for (Problem p : Problem.values()) {
                codes.add(new VerificationException(a, p, "").code());
            }
        }
        ErrorCodeCheck.assertPublished(List.of(
                "trust",
                "trust.attestation.corrupted",
                "trust.attestation.missing",
                "trust.attestation.other-image",
                "trust.attestation.wrong-key",
                "trust.key",
                "trust.key-password",
                "trust.other-image",
                "trust.signature.corrupted",
                "trust.signature.missing",
                "trust.signature.other-image",
                "trust.signature.wrong-key"), codes, "trust");
    }
}
