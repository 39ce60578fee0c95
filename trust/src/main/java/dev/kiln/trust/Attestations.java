package dev.kiln.trust;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.ArtifactManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Referrers;
import dev.kiln.store.Digest;
import dev.kiln.store.json.StrictJson;
import dev.kiln.trust.VerificationException.Problem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Signed in-toto attestations (provenance, SBOMs) attached to an image as OCI 1.1 referrers.
 *
 * <p>An attestation is an artifact manifest (artifact type {@value Dsse#IN_TOTO}, the empty
 * config, {@code subject} = the image) with one layer: a {@link Dsse} envelope (media type
 * {@value Dsse#ENVELOPE_MEDIA_TYPE}) whose payload is the in-toto Statement, annotated
 * {@value #PREDICATE_TYPE_ANNOTATION} with the statement's predicate type, as cosign attaches
 * attestations. The statement must name the image's digest among its subjects.
 */
public final class Attestations {
    /** The artifact type of an attestation referrer (cosign's for in-toto attestations). */
    public static final String ARTIFACT_TYPE = Dsse.IN_TOTO;
    /** The layer annotation that names the statement's predicate type (cosign's). */
    public static final String PREDICATE_TYPE_ANNOTATION = "predicateType";

    /** An attestation that was attached. */
    public record Attested(Descriptor subject, Descriptor attestation, String predicateType, String keyFingerprint) {}

    /** An attestation that verified; {@code statement} is the signed in-toto Statement's bytes. */
    public record Verified(Digest subject, String predicateType, byte[] statement, String keyFingerprint, Digest attestation) {
        public Verified {
            statement = statement.clone();
        }

        @Override
        public byte[] statement() {
            return statement.clone();
        }
    }

    private Attestations() {}

    /**
     * Signs the in-toto Statement {@code statement} in a DSSE envelope and attaches it to
     * {@code subject}. Refuses a statement that is not about {@code subject}.
     */
    public static Attested attest(Referrers target, Descriptor subject, byte[] statement, SigningKey key) {
        Objects.requireNonNull(subject, "subject");
        String predicateType = checkStatement(statement, subject.digest(), "the attestation");
        byte[] envelope = Dsse.sign(statement, Dsse.IN_TOTO, key).json();
        Descriptor layer = Descriptor.of(Dsse.ENVELOPE_MEDIA_TYPE, Digest.of(envelope), envelope.length)
                .withAnnotations(Map.of(PREDICATE_TYPE_ANNOTATION, predicateType));
        Descriptor attached = target.attach(ArtifactManifest.of(ARTIFACT_TYPE, List.of(layer), subject), List.of(envelope));
        return new Attested(subject, attached, predicateType, key.verificationKey().fingerprint());
    }

    /**
     * Every attestation of {@code subject} that one of {@code trusted} signed and whose statement
     * names {@code subject}; throws {@link VerificationException} when there is none.
     */
    public static List<Verified> verify(Referrers target, Digest subject, Collection<VerificationKey> trusted) {
        return ReferrerCheck.verify(target, subject, ARTIFACT_TYPE, Dsse.ENVELOPE_MEDIA_TYPE, trusted,
                VerificationException.Artifact.ATTESTATION, "attach one signed with a trusted key ('kiln sign "
                        + target.imageName(subject) + "' with a statement to attest)", layer -> check(layer, subject, trusted));
    }

    private static Verified check(ReferrerCheck.Layer layer, Digest subject, Collection<VerificationKey> trusted)
            throws ReferrerCheck.Failure {
        Dsse.Envelope envelope;
        VerificationKey signer;
        try {
            envelope = Dsse.parse(layer.content());
            signer = Dsse.signer(envelope, Dsse.IN_TOTO, trusted);
        } catch (IllegalArgumentException e) {
            throw new ReferrerCheck.Failure(Problem.CORRUPTED, "a malformed envelope: " + e.getMessage());
        }
        if (signer == null) {
            String hint = envelope.signatures().isEmpty() ? null : envelope.signatures().get(0).keyid();
            throw Signatures.unverified(hint == null || hint.isEmpty() ? null : hint, trusted);
        }
        String predicateType;
        try {
            predicateType = predicateType(envelope.payload(), subject);
        } catch (IllegalArgumentException e) {
            Problem problem = e instanceof OtherSubject ? Problem.OTHER_DIGEST : Problem.CORRUPTED;
            throw new ReferrerCheck.Failure(problem, "validly signed by key " + signer.fingerprint() + ", but " + e.getMessage());
        }
        return new Verified(subject, predicateType, envelope.payload(), signer.fingerprint(), layer.manifest().digest());
    }

    /** A well-formed statement about another image. */
    private static final class OtherSubject extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        OtherSubject(String message) {
            super(message);
        }
    }

    /**
     * Checks that {@code statement} is an in-toto Statement about {@code subject} and returns its
     * predicate type; {@code source} names it in the error.
     */
    public static String checkStatement(byte[] statement, Digest subject, String source) {
        try {
            return predicateType(statement, subject);
        } catch (IllegalArgumentException e) {
            throw new TrustException(e instanceof OtherSubject ? TrustException.Kind.OTHER_IMAGE : TrustException.Kind.OTHER,
                    source + " cannot be attached to " + subject + ": " + e.getMessage()
                    + "\n  fix: give an in-toto Statement whose subject has digest {\"sha256\": \"" + subject.hex() + "\"}");
        }
    }

    /** The statement's predicate type, after checking it is an in-toto Statement about {@code subject}. */
    static String predicateType(byte[] statement, Digest subject) {
        JsonNode root;
        try {
            root = StrictJson.parse(statement);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the statement is " + e.getMessage());
        }
        if (!root.path("_type").asText("").startsWith("https://in-toto.io/Statement/")) {
            throw new IllegalArgumentException("expected an in-toto Statement (\"_type\": \"https://in-toto.io/Statement/v1\"), found "
                    + "_type " + root.path("_type"));
        }
        String predicateType = root.path("predicateType").asText("");
        if (predicateType.isEmpty()) {
            throw new IllegalArgumentException("the statement has no predicateType");
        }
        List<String> digests = new ArrayList<>();
        for (JsonNode s : root.path("subject")) {
            String hex = s.path("digest").path("sha256").asText("");
            if (hex.equals(subject.hex())) {
                return predicateType;
            }
            digests.add("sha256:" + hex);
        }
        throw new OtherSubject("the statement is about " + (digests.isEmpty() ? "no subject" : String.join(", ", digests))
                + ", not " + subject);
    }
}
