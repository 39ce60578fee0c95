package dev.kiln.trust;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.ArtifactManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReferrers;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciException;
import dev.kiln.oci.testing.TestLayouts;
import dev.kiln.store.Digest;
import dev.kiln.trust.VerificationException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SignaturesTest extends LayoutFixture {
    static final SigningKey KEY = SigningKey.generate();
    static final SigningKey OTHER = SigningKey.generate();
    static final String IDENTITY = "registry.example/team/base";

    static JsonNode json(byte[] bytes) throws IOException {
        return new ObjectMapper().readTree(bytes);
    }

    static Path blobFile(Path layout, Digest d) {
        return layout.resolve("blobs/sha256").resolve(d.hex());
    }

    static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    /** A signature artifact made by hand, for the tampers. */
    static Descriptor attachSignature(LayoutReferrers target, Descriptor subject, byte[] payload, byte[] signature,
            Optional<String> keyHint) {
        Map<String, String> annotations = new HashMap<>();
        annotations.put(Signatures.SIGNATURE_ANNOTATION, Base64.getEncoder().encodeToString(signature));
        keyHint.ifPresent(h -> annotations.put(Signatures.KEY_ANNOTATION, h));
        Descriptor layer = Descriptor.of(SimpleSigning.MEDIA_TYPE, Digest.of(payload), payload.length).withAnnotations(annotations);
        return target.attach(ArtifactManifest.of(Signatures.ARTIFACT_TYPE, List.of(layer), subject), List.of(payload));
    }

    static VerificationException failure(LayoutReferrers target, Descriptor image, SigningKey key) {
        return assertThrows(VerificationException.class,
                () -> Signatures.verify(target, image.digest(), List.of(key.verificationKey())));
    }

    @Test
    void aSignedLayoutVerifiesWithTheSigningKeysPublicKey() {
        Signatures.Signed signed = Signatures.sign(target, image, IDENTITY, KEY);
        Signatures.Verified verified = Signatures.verify(target.dir(), image.digest(), KEY.verificationKey().pem());
        assertEquals(image.digest(), verified.subject());
        assertEquals(IDENTITY, verified.identity());
        assertEquals(KEY.verificationKey().fingerprint(), verified.keyFingerprint());
        assertEquals(signed.signature().digest(), verified.signature());
        assertEquals(Map.of(), verified.optional());
    }

    @Test
    void theSignatureIsAnOci11ArtifactWithTheEmptyConfigAndTheImageAsSubject() throws IOException {
        Path dir = target.dir();
        Signatures.Signed signed = Signatures.sign(target, image, IDENTITY, Map.of("build", "42"), KEY);

        JsonNode index = json(Files.readAllBytes(dir.resolve("index.json")));
        assertEquals(3, index.get("manifests").size(), "latest, latest-amd64 and the signature");
        JsonNode entry = index.get("manifests").get(2);
        assertEquals(Signatures.ARTIFACT_TYPE, entry.get("artifactType").asText());
        assertEquals(signed.signature().digest().toString(), entry.get("digest").asText());
        assertTrue(entry.path("annotations").isMissingNode(), "no reference name: the image keeps 'latest' to itself");

        JsonNode manifest = json(Files.readAllBytes(blobFile(dir, signed.signature().digest())));
        assertEquals(MediaTypes.MANIFEST, manifest.get("mediaType").asText());
        assertEquals(Signatures.ARTIFACT_TYPE, manifest.get("artifactType").asText());
        assertEquals(MediaTypes.EMPTY, manifest.get("config").get("mediaType").asText());
        assertEquals("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
                manifest.get("config").get("digest").asText(), "image-spec's empty descriptor");
        assertEquals("{}", Files.readString(blobFile(dir, Digest.parse(manifest.get("config").get("digest").asText()))));
        assertEquals(image.digest().toString(), manifest.get("subject").get("digest").asText());
        assertEquals(image.size(), manifest.get("subject").get("size").asLong());
        assertEquals(MediaTypes.MANIFEST, manifest.get("subject").get("mediaType").asText());

        JsonNode layer = manifest.get("layers").get(0);
        assertEquals(SimpleSigning.MEDIA_TYPE, layer.get("mediaType").asText());
        byte[] payload = Files.readAllBytes(blobFile(dir, Digest.parse(layer.get("digest").asText())));
        SimpleSigning.Claims claims = SimpleSigning.parse(payload);
        assertEquals(image.digest(), claims.manifestDigest());
        assertEquals(IDENTITY, claims.identity());
        assertEquals(Map.of("build", "42"), claims.optional());
        byte[] sig = Base64.getDecoder().decode(layer.get("annotations").get(Signatures.SIGNATURE_ANNOTATION).asText());
        assertTrue(KEY.verificationKey().verifies(payload, sig), "the annotation is the ECDSA signature of the payload blob");
    }

    @Test
    void signingAgainWithTheSameKeyChangesNoByte() throws IOException {
        Descriptor first = Signatures.sign(target, image, IDENTITY, KEY).signature();
        Map<String, byte[]> before = files(target.dir());
        assertEquals(first, Signatures.sign(target, image, IDENTITY, KEY).signature());
        Map<String, byte[]> after = files(target.dir());
        assertEquals(before.keySet(), after.keySet());
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
    }

    @Test
    void twoKeysGiveTwoSignaturesAndEachVerifiesWithItsOwnKey() {
        Signatures.sign(target, image, IDENTITY, KEY);
        Signatures.sign(target, image, IDENTITY, OTHER);
        assertEquals(2, target.referrers(image.digest()).size());
        assertEquals(OTHER.verificationKey().fingerprint(),
                Signatures.verify(target, image.digest(), List.of(OTHER.verificationKey())).keyFingerprint());
        assertEquals(KEY.verificationKey().fingerprint(),
                Signatures.verify(target, image.digest(), List.of(KEY.verificationKey())).keyFingerprint());
    }

    @Test
    void anUnsignedImageFailsWithNoSignature() {
        VerificationException e = failure(target, image, KEY);
        assertEquals(Problem.NO_SIGNATURE, e.problem());
        assertTrue(e.getMessage().startsWith("no signature for " + image.digest() + " in " + target.dir()), e.getMessage());
        assertTrue(e.getMessage().contains("fix: sign it with a trusted key ('kiln sign"), e.getMessage());
        assertEquals("trust.signature.missing", e.code());
    }

    @Test
    void anotherKeyFailsWithWrongKeyNamingTheKeyThatSigned() {
        Signatures.sign(target, image, IDENTITY, KEY);
        VerificationException e = failure(target, image, OTHER);
        assertEquals(Problem.WRONG_KEY, e.problem());
        assertEquals("trust.signature.wrong-key", e.code());
        assertTrue(e.getMessage().contains("made by key " + KEY.verificationKey().fingerprint()), e.getMessage());
        assertTrue(e.getMessage().contains("with key " + OTHER.verificationKey().fingerprint()), e.getMessage());
    }

    @Test
    void aReplacedSignatureFailsAsChanged() {
        byte[] payload = SimpleSigning.payload(IDENTITY, image.digest(), Map.of());
        // another key's valid signature of the same payload, under the hint of the trusted key
        attachSignature(target, image, payload, OTHER.sign(payload), Optional.of(KEY.verificationKey().fingerprint()));
        VerificationException e = failure(target, image, KEY);
        assertEquals(Problem.CORRUPTED, e.problem());
        assertTrue(e.getMessage().contains("the signature or its payload was changed after signing"), e.getMessage());
    }

    @Test
    void aReplacedSignatureWithoutHintFailsAsAnotherKeyOrChanged() {
        byte[] payload = SimpleSigning.payload(IDENTITY, image.digest(), Map.of());
        attachSignature(target, image, payload, OTHER.sign(payload), Optional.empty());
        VerificationException e = failure(target, image, KEY);
        assertEquals(Problem.WRONG_KEY, e.problem());
        assertTrue(e.getMessage().contains("made by another key, or changed after signing"), e.getMessage());
    }

    @Test
    void aSignatureOfAnotherImageMovedOntoThisOneFailsWithOtherDigest() {
        Digest other = LayoutReferrers.open(TestLayouts.single(tmp.resolve("other"), "goodbye")).image(Optional.empty()).digest();
        byte[] payload = SimpleSigning.payload(IDENTITY, other, Map.of());
        attachSignature(target, image, payload, KEY.sign(payload), Optional.of(KEY.verificationKey().fingerprint()));
        VerificationException e = failure(target, image, KEY);
        assertEquals(Problem.OTHER_DIGEST, e.problem());
        assertTrue(e.getMessage().contains("its payload names " + other + ", not this image " + image.digest()), e.getMessage());
    }

    @Test
    void aFlippedSignatureByteFailsAsChanged() {
        byte[] payload = SimpleSigning.payload(IDENTITY, image.digest(), Map.of());
        byte[] sig = KEY.sign(payload);
        for (int i : new int[] {0, 5, sig.length - 1}) {
            byte[] bad = sig.clone();
            bad[i] ^= 0x01;
            attachSignature(target, image, payload, bad, Optional.of(KEY.verificationKey().fingerprint()));
        }
        VerificationException e = failure(target, image, KEY);
        assertEquals(Problem.CORRUPTED, e.problem());
        assertEquals(3, e.getMessage().lines().filter(l -> l.startsWith("  - signature sha256:")).count(), e.getMessage());
    }

    @Test
    void aPayloadBlobChangedOnDiskFailsAsChanged() throws IOException {
        Signatures.sign(target, image, IDENTITY, KEY);
        Digest payload = Digest.of(SimpleSigning.payload(IDENTITY, image.digest(), Map.of()));
        Path file = blobFile(target.dir(), payload);
        String text = Files.readString(file);
        Files.writeString(file, text.replace(image.digest().hex().substring(0, 4), "0000"));
        VerificationException e = failure(target, image, KEY);
        assertEquals(Problem.CORRUPTED, e.problem());
        assertTrue(e.getMessage().contains("is corrupt: its content has digest"), e.getMessage());
    }

    @Test
    void oneValidSignatureAmongBadOnesVerifies() {
        byte[] payload = SimpleSigning.payload(IDENTITY, image.digest(), Map.of());
        attachSignature(target, image, payload, OTHER.sign(payload), Optional.empty());
        Signatures.Signed good = Signatures.sign(target, image, IDENTITY, KEY);
        assertEquals(good.signature().digest(),
                Signatures.verify(target, image.digest(), List.of(KEY.verificationKey())).signature());
    }

    @Test
    void anyOfSeveralTrustedKeysMayHaveSigned() {
        Signatures.sign(target, image, IDENTITY, OTHER);
        assertEquals(OTHER.verificationKey().fingerprint(), Signatures.verify(target, image.digest(),
                List.of(KEY.verificationKey(), OTHER.verificationKey())).keyFingerprint());
    }

    @Test
    void signingAnIndexSignsTheIndexDigestOnly() throws IOException {
        LayoutReferrers layout = LayoutReferrers.open(TestLayouts.twoArch(tmp.resolve("index"), "hello"));
        Descriptor index = layout.image(Optional.empty());
        assertEquals(MediaTypes.INDEX, index.mediaType());
        Signatures.sign(layout, index, IDENTITY, KEY);
        assertEquals(index.digest(), Signatures.verify(layout, index.digest(), List.of(KEY.verificationKey())).subject());
        JsonNode children = json(layout.manifest(index)).get("manifests");
        Digest amd64 = Digest.parse(children.get(0).get("digest").asText());
        assertEquals(Problem.NO_SIGNATURE, assertThrows(VerificationException.class,
                () -> Signatures.verify(layout, amd64, List.of(KEY.verificationKey()))).problem());
    }

    @Test
    void theIdentityMustBeARepositoryName() {
        TrustException e = assertThrows(TrustException.class,
                () -> Signatures.sign(target, image, "Registry.example/base:latest", KEY));
        assertTrue(e.getMessage().endsWith("\n  fix: give a repository name as the identity"), e.getMessage());
        assertEquals(0, target.referrers(image.digest()).size(), "nothing attached");
    }

    @Test
    void theImageIsFoundByItsNameAfterSigningAndAnUnknownNameIsRefused() {
        Signatures.sign(target, image, IDENTITY, KEY);
        assertEquals(image.digest(), target.image(Optional.empty()).digest());
        assertEquals(image.digest(), target.image(Optional.of("latest")).digest());
        OciException e = assertThrows(OciException.class, () -> target.image(Optional.of("v2")));
        assertTrue(e.getMessage().contains("expected one image named 'v2', found 0 (names: latest, latest-amd64)"), e.getMessage());
    }

    @Test
    void aDirectoryThatIsNoLayoutIsRefused() throws IOException {
        Files.createDirectories(tmp.resolve("plain"));
        OciException e = assertThrows(OciException.class, () -> LayoutReferrers.open(tmp.resolve("plain")));
        assertTrue(e.getMessage().contains("not an OCI image layout"), e.getMessage());
    }

    // ---- peers: skopeo and umoci still read the signed layout ----

    @Test
    void skopeoReadsTheSignedImageByNameAndTheSignatureByDigest() throws Exception {
        assumeTrue(Tools.onPath("skopeo"), "skopeo is not installed");
        Path dir = target.dir();
        Descriptor signature = Signatures.sign(target, image, IDENTITY, KEY).signature();
        JsonNode inspect = json(Tools.ok(tmp, "skopeo", "inspect", "oci:" + dir + ":latest").getBytes(UTF_8));
        assertEquals(image.digest().toString(), inspect.get("Digest").asText());
        String raw = Tools.ok(tmp, "skopeo", "inspect", "--raw", "oci:" + dir + ":latest");
        assertArrayEquals(target.manifest(image), raw.getBytes(UTF_8));
        // copying the image out of the signed layout still works
        Tools.ok(tmp, "skopeo", "copy", "oci:" + dir + ":latest", "oci:" + tmp.resolve("copy") + ":latest");
        assertEquals(new String(target.manifest(signature), UTF_8),
                new String(Files.readAllBytes(blobFile(dir, signature.digest())), UTF_8));
    }

    @Test
    void umociStillUnpacksTheSignedImage() throws Exception {
        assumeTrue(Tools.onPath("umoci"), "umoci is not installed");
        Path dir = target.dir();
        Signatures.sign(target, target.image(Optional.empty()), IDENTITY, KEY);
        Tools.ok(tmp, "umoci", "unpack", "--rootless", "--image", dir + ":latest", tmp.resolve("bundle").toString());
        assertEquals("hello amd64\n", Files.readString(tmp.resolve("bundle/rootfs/etc/greeting")));
        assertEquals("latest\nlatest-amd64\n", Tools.ok(tmp, "umoci", "ls", "--layout", dir.toString()));
    }
}
