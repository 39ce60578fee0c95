package dev.kiln.trust;

import dev.kiln.oci.ArtifactManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReferrers;
import dev.kiln.oci.Referrers;
import dev.kiln.store.Digest;
import dev.kiln.trust.VerificationException.Problem;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * cosign-compatible image signatures, stored as OCI 1.1 referrers.
 *
 * <p>A signature is an artifact manifest (artifact type {@value #ARTIFACT_TYPE}, the empty config,
 * {@code subject} = the signed manifest) with one layer: the {@link SimpleSigning} payload naming
 * the image's digest, media type {@value SimpleSigning#MEDIA_TYPE}, annotated
 * {@value #SIGNATURE_ANNOTATION} = base64 of the ECDSA-SHA256 DER signature of the payload bytes.
 * That is what {@code cosign sign --registry-referrers-mode=oci-1-1} pushes, so {@code cosign
 * verify --key} accepts kiln's signatures once they are in a registry.
 *
 * <p>Signing an image index signs the index's digest, as {@code cosign sign} does for a
 * multi-arch image: the index pins every platform's manifest by digest, so one signature covers
 * them all; verify the index digest (the one {@code index.json} names), not a platform's.
 */
public final class Signatures {
    /** The artifact type of a signature referrer (cosign's). */
    public static final String ARTIFACT_TYPE = "application/vnd.dev.cosign.artifact.sig.v1+json";
    /** The layer annotation that holds the base64 signature (cosign's). */
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    /**
     * kiln's layer annotation naming the signing key's fingerprint. Unauthenticated: it only lets a
     * failure say "another key" rather than "changed"; it never makes a signature valid.
     */
    public static final String KEY_ANNOTATION = "dev.kiln.signature.key";

    /** A signature that was attached. */
    public record Signed(Descriptor subject, Descriptor signature, String identity, String keyFingerprint) {}

    /** A signature that verified: which image, named how, by which key, in which artifact. */
    public record Verified(Digest subject, String identity, String keyFingerprint, Digest signature,
            Map<String, String> optional) {}

    private Signatures() {}

    /**
     * Signs {@code subject} (a manifest or an index in {@code target}) as {@code identity} (the
     * repository it is published under, without tag) and attaches the signature. Deterministic:
     * signing the same image with the same key and identity again attaches nothing new.
     */
    public static Signed sign(Referrers target, Descriptor subject, String identity, SigningKey key) {
        return sign(target, subject, identity, Map.of(), key);
    }

    /** As {@link #sign(Referrers, Descriptor, String, SigningKey)}, with cosign's {@code optional} claims ({@code -a k=v}). */
    public static Signed sign(Referrers target, Descriptor subject, String identity, Map<String, String> optional,
            SigningKey key) {
        Objects.requireNonNull(subject, "subject");
        if (!SimpleSigning.isRepository(identity)) {
            throw new TrustException("the identity to sign the image as must be a repository name such as"
                    + " 'registry.example/team/base' (lowercase, no tag or digest), found '" + identity + "'"
                    + "\n  fix: give a repository name as the identity");
        }
        byte[] payload = SimpleSigning.payload(identity, subject.digest(), optional);
        byte[] signature = key.sign(payload);
        if (!key.verificationKey().verifies(payload, signature)) {
            throw new IllegalStateException("a fresh signature does not verify with its own key");
        }
        Descriptor layer = Descriptor.of(SimpleSigning.MEDIA_TYPE, Digest.of(payload), payload.length).withAnnotations(Map.of(
                SIGNATURE_ANNOTATION, Base64.getEncoder().encodeToString(signature),
                KEY_ANNOTATION, key.verificationKey().fingerprint()));
        Descriptor attached = target.attach(ArtifactManifest.of(ARTIFACT_TYPE, List.of(layer), subject), List.of(payload));
        return new Signed(subject, attached, identity, key.verificationKey().fingerprint());
    }

    /**
     * Finds the signatures that refer to {@code subject} and returns the first that one of
     * {@code trusted} made and whose payload names exactly {@code subject}. Throws
     * {@link VerificationException} naming the problem of each signature when none does.
     */
    public static Verified verify(Referrers target, Digest subject, Collection<VerificationKey> trusted) {
        return ReferrerCheck.verify(target, subject, ARTIFACT_TYPE, SimpleSigning.MEDIA_TYPE, trusted,
                VerificationException.Artifact.SIGNATURE, "sign it with a trusted key ('kiln sign "
                        + target.imageName(subject) + "')", layer -> check(layer, subject, trusted)).get(0);
    }

    /** {@link #verify(Referrers, Digest, Collection)} for an image layout directory and one PEM public key. */
    public static Verified verify(Path layoutDir, Digest manifestDigest, String publicKeyPem) {
        return verify(LayoutReferrers.open(layoutDir), manifestDigest, publicKeyPem);
    }

    /** {@link #verify(Referrers, Digest, Collection)} with one PEM public key. */
    public static Verified verify(Referrers target, Digest subject, String publicKeyPem) {
        return verify(target, subject, List.of(VerificationKey.parsePem(publicKeyPem, "the public key")));
    }

    private static Verified check(ReferrerCheck.Layer layer, Digest subject, Collection<VerificationKey> trusted)
            throws ReferrerCheck.Failure {
        String encoded = layer.descriptor().annotations().get(SIGNATURE_ANNOTATION);
        if (encoded == null) {
            throw new ReferrerCheck.Failure(Problem.CORRUPTED, "no " + SIGNATURE_ANNOTATION + " annotation");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new ReferrerCheck.Failure(Problem.CORRUPTED, "the signature is not base64: " + e.getMessage());
        }
        VerificationKey signer = trusted.stream().filter(k -> k.verifies(layer.content(), signature)).findFirst()
                .orElseThrow(() -> unverified(layer.descriptor().annotations().get(KEY_ANNOTATION), trusted));
        SimpleSigning.Claims claims;
        try {
            claims = SimpleSigning.parse(layer.content());
        } catch (IllegalArgumentException e) {
            throw new ReferrerCheck.Failure(Problem.CORRUPTED, "a signed payload that is no cosign payload: " + e.getMessage());
        }
        if (!claims.manifestDigest().equals(subject)) {
            throw new ReferrerCheck.Failure(Problem.OTHER_DIGEST, "validly signed by key " + signer.fingerprint()
                    + ", but its payload names " + claims.manifestDigest() + ", not this image " + subject);
        }
        return new Verified(subject, claims.identity(), signer.fingerprint(), layer.manifest().digest(), claims.optional());
    }

    /** A signature that no trusted key verifies: another key's (by its hint), or changed after signing. */
    static ReferrerCheck.Failure unverified(String keyHint, Collection<VerificationKey> trusted) {
        if (keyHint == null) {
            return new ReferrerCheck.Failure(Problem.WRONG_KEY, "does not verify with the key given:"
                    + " made by another key, or changed after signing");
        }
        if (trusted.stream().anyMatch(k -> k.fingerprint().equals(keyHint))) {
            return new ReferrerCheck.Failure(Problem.CORRUPTED, "does not verify with key " + keyHint
                    + ", which made it: the signature or its payload was changed after signing");
        }
        return new ReferrerCheck.Failure(Problem.WRONG_KEY, "made by key " + keyHint + " (as its annotation says),"
                + " not by the key given");
    }
}
