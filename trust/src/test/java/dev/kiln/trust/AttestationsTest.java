package dev.kiln.trust;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.ArtifactManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReferrers;
import dev.kiln.store.Digest;
import dev.kiln.trust.VerificationException.Problem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AttestationsTest extends LayoutFixture {
    static final SigningKey KEY = SigningKey.generate();
    static final String PROVENANCE = "https://slsa.dev/provenance/v1";

    static byte[] statement(Digest subject) {
        return ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"base\",\"digest\":{\"sha256\":\""
                + subject.hex() + "\"}}],\"predicateType\":\"" + PROVENANCE + "\",\"predicate\":{\"buildDefinition\":{}}}")
                .getBytes(UTF_8);
    }

    static Descriptor attachEnvelope(LayoutReferrers target, Descriptor subject, byte[] envelope) {
        Descriptor layer = Descriptor.of(Dsse.ENVELOPE_MEDIA_TYPE, Digest.of(envelope), envelope.length);
        return target.attach(ArtifactManifest.of(Attestations.ARTIFACT_TYPE, List.of(layer), subject), List.of(envelope));
    }

    @Test
    void anAttestationRoundTripsAndReturnsTheSignedStatement() throws IOException {
        byte[] statement = statement(image.digest());
        Attestations.Attested attested = Attestations.attest(target, image, statement, KEY);
        assertEquals(PROVENANCE, attested.predicateType());
        List<Attestations.Verified> verified = Attestations.verify(target, image.digest(), List.of(KEY.verificationKey()));
        assertEquals(1, verified.size());
        assertArrayEquals(statement, verified.get(0).statement());
        assertEquals(PROVENANCE, verified.get(0).predicateType());
        assertEquals(attested.attestation().digest(), verified.get(0).attestation());

        JsonNode manifest = new ObjectMapper().readTree(target.manifest(attested.attestation()));
        assertEquals(Dsse.IN_TOTO, manifest.get("artifactType").asText());
        assertEquals(image.digest().toString(), manifest.get("subject").get("digest").asText());
        JsonNode layer = manifest.get("layers").get(0);
        assertEquals(Dsse.ENVELOPE_MEDIA_TYPE, layer.get("mediaType").asText());
        assertEquals(PROVENANCE, layer.get("annotations").get(Attestations.PREDICATE_TYPE_ANNOTATION).asText());
    }

    @Test
    void anAttestationIsNotASignature() {
        Attestations.attest(target, image, statement(image.digest()), KEY);
        assertEquals(Problem.NO_SIGNATURE, assertThrows(VerificationException.class,
                () -> Signatures.verify(target, image.digest(), List.of(KEY.verificationKey()))).problem());
    }

    @Test
    void aStatementAboutAnotherImageIsNotAttached() {
        Digest other = Digest.of("another image");
        TrustException e = assertThrows(TrustException.class,
                () -> Attestations.attest(target, image, statement(other), KEY));
        assertTrue(e.getMessage().contains("the statement is about " + other + ", not " + image.digest()), e.getMessage());
        assertEquals(0, target.referrers(image.digest()).size());
        assertThrows(TrustException.class, () -> Attestations.attest(target, image, "{\"predicateType\":\"x\"}".getBytes(UTF_8), KEY));
    }

    @Test
    void aChangedStatementFailsAsChanged() {
        Dsse.Envelope good = Dsse.sign(statement(image.digest()), Dsse.IN_TOTO, KEY);
        byte[] changed = new String(statement(image.digest()), UTF_8).replace("{}", "{\"extra\":1}").getBytes(UTF_8);
        attachEnvelope(target, image, new Dsse.Envelope(Dsse.IN_TOTO, changed, good.signatures()).json());
        VerificationException e = assertThrows(VerificationException.class,
                () -> Attestations.verify(target, image.digest(), List.of(KEY.verificationKey())));
        assertEquals(Problem.CORRUPTED, e.problem());
        assertTrue(e.getMessage().startsWith("no valid attestation for " + image.digest()), e.getMessage());
    }

    @Test
    void anotherKeyFailsWithWrongKey() {
        Attestations.attest(target, image, statement(image.digest()), KEY);
        SigningKey other = SigningKey.generate();
        VerificationException e = assertThrows(VerificationException.class,
                () -> Attestations.verify(target, image.digest(), List.of(other.verificationKey())));
        assertEquals(Problem.WRONG_KEY, e.problem());
        assertEquals("trust.attestation.wrong-key", e.code());
        assertTrue(e.getMessage().contains("made by key " + KEY.verificationKey().fingerprint()), e.getMessage());
    }

    @Test
    void aSignedStatementAboutAnotherImageFailsWithOtherDigest() {
        Digest other = Digest.of("another image");
        attachEnvelope(target, image, Dsse.sign(statement(other), Dsse.IN_TOTO, KEY).json());
        VerificationException e = assertThrows(VerificationException.class,
                () -> Attestations.verify(target, image.digest(), List.of(KEY.verificationKey())));
        assertEquals(Problem.OTHER_DIGEST, e.problem());
        assertTrue(e.getMessage().contains("the statement is about " + other), e.getMessage());
    }

    @Test
    void signatureAndAttestationLiveSideBySide() {
        Signatures.sign(target, image, "base", KEY);
        Attestations.attest(target, image, statement(image.digest()), KEY);
        assertEquals(2, target.referrers(image.digest()).size());
        assertEquals(image.digest(), Signatures.verify(target, image.digest(), List.of(KEY.verificationKey())).subject());
        assertEquals(1, Attestations.verify(target, image.digest(), List.of(KEY.verificationKey())).size());
        assertEquals(Map.of(), Signatures.verify(target, image.digest(), List.of(KEY.verificationKey())).optional());
    }
}
