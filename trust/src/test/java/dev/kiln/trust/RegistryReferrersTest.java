package dev.kiln.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciException;
import dev.kiln.oci.OciJson;
import dev.kiln.oci.Referrers;
import dev.kiln.oci.registry.ImageReference;
import dev.kiln.oci.registry.ManifestContent;
import dev.kiln.oci.registry.RegistryClient;
import dev.kiln.oci.registry.RegistryCredentials;
import dev.kiln.oci.registry.RegistryReferrers;
import dev.kiln.oci.testing.TestLayouts;
import dev.kiln.oci.testing.TestRegistry;
import dev.kiln.store.Digest;
import dev.kiln.trust.VerificationException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures and attestations in a real docker-registry (distribution 2.8, which has no referrers
 * API, so referrers live under the {@code sha256-<hex>} tag), each test in its own repository.
 */
class RegistryReferrersTest {
    static final SigningKey KEY = SigningKey.generate();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;
    static TestRegistry registry;

    @TempDir
    Path tmp;
    RegistryClient client;
    ImageReference ref;
    RegistryReferrers target;
    Descriptor image;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(TestRegistry.available(), "docker-registry is installed by .ci/run");
        registry = TestRegistry.start(shared);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void push(TestInfo test) {
        client = RegistryClient.builder().credentials(RegistryCredentials.none()).build();
        String repo = test.getTestMethod().orElseThrow().getName().toLowerCase(java.util.Locale.ROOT);
        ref = ImageReference.parse(registry.host() + "/sign/" + repo + ":v1");
        client.push(TestLayouts.single(tmp.resolve("image"), "hello"), ref);
        target = RegistryReferrers.of(client, ref);
        image = target.image(ref);
    }

    @AfterEach
    void close() {
        client.close();
    }

    ManifestContent fallbackIndex() {
        return client.getManifest(ref.withTag(RegistryClient.fallbackTag(image.digest())));
    }

    Path blobFile(Digest d) {
        return shared.resolve("storage/docker/registry/v2/blobs/sha256").resolve(d.hex().substring(0, 2)).resolve(d.hex()).resolve("data");
    }

    @Test
    void aTagIsResolvedToTheDigestOfWhatItNames() {
        ManifestContent pushed = client.getManifest(ref);
        assertEquals(Descriptor.of(MediaTypes.MANIFEST, pushed.digest(), pushed.size()), image);
        assertEquals(image, target.image(ref.withDigest(image.digest())));
        assertEquals(registry.host() + "/sign/atagisresolvedtothedigestofwhatitnames", target.location());
    }

    @Test
    void aSignatureIsPushedWithItsBlobsListedUnderTheFallbackTagAndVerifies() throws IOException {
        Signatures.Signed signed = Signatures.sign(target, image, registry.host() + "/sign/x", KEY);
        JsonNode manifest = JSON.readTree(target.manifest(signed.signature()));
        for (JsonNode blob : List.of(manifest.get("config"), manifest.get("layers").get(0))) {
            assertTrue(client.hasBlob(ref, Digest.parse(blob.get("digest").asText())), "pushed: " + blob);
        }
        JsonNode listed = JSON.readTree(fallbackIndex().bytes()).get("manifests");
        assertEquals(1, listed.size());
        assertEquals(signed.signature().digest().toString(), listed.get(0).get("digest").asText());
        assertEquals(Signatures.ARTIFACT_TYPE, listed.get(0).get("artifactType").asText());
        assertEquals(List.of(new Referrers.Referrer(signed.signature(), Signatures.ARTIFACT_TYPE)), target.referrers(image.digest()));

        Signatures.Verified v = Signatures.verify(target, image.digest(), List.of(KEY.verificationKey()));
        assertEquals(signed.signature().digest(), v.signature());
        assertEquals(registry.host() + "/sign/x", v.identity());
    }

    @Test
    void anUnsignedImageSaysHowToSignItByDigest() {
        VerificationException e = assertThrows(VerificationException.class,
                () -> Signatures.verify(target, image.digest(), List.of(KEY.verificationKey())));
        assertEquals(Problem.NO_SIGNATURE, e.problem());
        assertTrue(e.getMessage().contains("in " + ref.name() + ": no artifact of type"), e.getMessage());
        assertTrue(e.getMessage().contains("fix: sign it with a trusted key ('kiln sign " + ref.name() + "@" + image.digest() + "')"),
                e.getMessage());
    }

    @Test
    void aSignatureBlobChangedInTheRegistryIsReportedAsChanged() throws IOException {
        Signatures.Signed signed = Signatures.sign(target, image, "base", KEY);
        JsonNode layer = JSON.readTree(target.manifest(signed.signature())).get("layers").get(0);
        Path data = blobFile(Digest.parse(layer.get("digest").asText()));
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 1;
        Files.write(data, bytes);
        VerificationException e = assertThrows(VerificationException.class,
                () -> Signatures.verify(target, image.digest(), List.of(KEY.verificationKey())));
        assertEquals(Problem.CORRUPTED, e.problem());
        assertTrue(e.getMessage().contains("its bytes hash to " + Digest.of(bytes)), e.getMessage());
    }

    @Test
    void aListingThatMisstatesAManifestsSizeIsNotBelieved() throws IOException {
        Signatures.Signed signed = Signatures.sign(target, image, "base", KEY);
        ObjectNode index = (ObjectNode) JSON.readTree(fallbackIndex().bytes());
        ((ObjectNode) index.get("manifests").get(0)).put("size", signed.signature().size() + 1);
        client.putManifest(ref, RegistryClient.fallbackTag(image.digest()), MediaTypes.INDEX, JSON.writeValueAsBytes(index));
        Descriptor listed = target.referrers(image.digest()).get(0).manifest();
        OciException e = assertThrows(OciException.class, () -> target.manifest(listed));
        assertTrue(e.getMessage().contains("has " + signed.signature().size() + " bytes, but was listed with "
                + (signed.signature().size() + 1)), e.getMessage());
        assertEquals(Problem.CORRUPTED, assertThrows(VerificationException.class,
                () -> Signatures.verify(target, image.digest(), List.of(KEY.verificationKey()))).problem());
    }

    @Test
    void aListingWithoutArtifactTypesIsTypedByTheManifestsThemselves() throws IOException {
        Signatures.Signed signed = Signatures.sign(target, image, "base", KEY);
        ObjectNode index = (ObjectNode) JSON.readTree(fallbackIndex().bytes());
        ((ObjectNode) index.get("manifests").get(0)).remove("artifactType");
        client.putManifest(ref, RegistryClient.fallbackTag(image.digest()), MediaTypes.INDEX, JSON.writeValueAsBytes(index));
        assertEquals(Signatures.ARTIFACT_TYPE, target.referrers(image.digest()).get(0).artifactType());
        assertEquals(signed.signature().digest(), Signatures.verify(target, image.digest(), List.of(KEY.verificationKey())).signature());
    }

    @Test
    void attachingTheSameAttestationAgainAddsNothing() throws IOException {
        byte[] statement = AttestationsTest.statement(image.digest());
        Attestations.Attested first = Attestations.attest(target, image, statement, KEY);
        byte[] listed = fallbackIndex().bytes();
        Attestations.Attested second = Attestations.attest(target, image, statement, KEY);
        assertEquals(first, second);
        assertArrayEquals(listed, fallbackIndex().bytes());
        assertArrayEquals(statement, Attestations.verify(target, image.digest(), List.of(KEY.verificationKey())).get(0).statement());
        assertArrayEquals(OciJson.EMPTY_OBJECT, target.blob(dev.kiln.oci.ArtifactManifest.EMPTY_CONFIG));
    }
}
