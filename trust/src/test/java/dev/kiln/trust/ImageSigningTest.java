package dev.kiln.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReferrers;
import dev.kiln.oci.OciJsonReader;
import dev.kiln.oci.testing.TestLayouts;
import dev.kiln.store.Digest;
import dev.kiln.trust.VerificationException.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code kiln sign} with SBOMs, on layouts: which image each SBOM goes to, and what is refused. */
class ImageSigningTest extends LayoutFixture {
    static final SigningKey KEY = SigningKey.generate();

    Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    static ImageSigning.Documents sboms(Path... files) {
        return new ImageSigning.Documents(List.of(), List.of(files));
    }

    @Test
    void theImagesSbomIsSignedAndAttachedAsAnSpdxAttestation() throws IOException {
        byte[] sbom = SbomStatementTest.imageSbom(image.digest(), "amd64");
        ImageSigning.Result r = ImageSigning.sign(target, image, "base", KEY, sboms(write("image.amd64.spdx.json", sbom)));
        assertEquals(1, r.attestations().size());
        assertEquals(image, r.attestations().get(0).subject());
        List<Attestations.Verified> verified = Attestations.verify(target, image.digest(), List.of(KEY.verificationKey()));
        assertEquals(SbomStatement.PREDICATE_TYPE, verified.get(0).predicateType());
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree(sbom), json.readTree(verified.get(0).statement()).get("predicate"));
        assertEquals(image.digest(), Signatures.verify(target, image.digest(), List.of(KEY.verificationKey())).subject());
    }

    @Test
    void eachArchitecturesSbomIsAttachedToItsOwnManifestAndTheSignatureToTheIndex() throws IOException {
        LayoutReferrers multi = LayoutReferrers.open(TestLayouts.twoArch(tmp.resolve("multi"), "hello"));
        Descriptor index = multi.image(Optional.empty());
        List<Descriptor> platforms = OciJsonReader.index(multi.manifest(index), "index").manifests();
        Path amd64 = write("multi.amd64.spdx.json", SbomStatementTest.imageSbom(platforms.get(0).digest(), "amd64"));
        Path arm64 = write("multi.arm64.spdx.json", SbomStatementTest.imageSbom(platforms.get(1).digest(), "arm64"));

        ImageSigning.Result r = ImageSigning.sign(multi, index, "base", KEY, sboms(amd64, arm64));
        assertEquals(index, r.signature().subject());
        assertEquals(List.of(platforms.get(0).digest(), platforms.get(1).digest()),
                r.attestations().stream().map(a -> a.subject().digest()).toList());
        for (Descriptor platform : platforms) {
            Attestations.Verified v = Attestations.verify(multi, platform.digest(), List.of(KEY.verificationKey())).get(0);
            assertEquals(SbomStatement.PREDICATE_TYPE, v.predicateType());
        }
        assertEquals(Problem.NO_SIGNATURE, assertThrows(VerificationException.class,
                () -> Attestations.verify(multi, index.digest(), List.of(KEY.verificationKey()))).problem(),
                "no SBOM is attached to the index");
        Signatures.verify(multi, index.digest(), List.of(KEY.verificationKey()));
    }

    @Test
    void anSbomOfAnotherImageIsRefusedBeforeAnythingIsAttached() throws IOException {
        byte[] index = Files.readAllBytes(target.dir().resolve("index.json"));
        Digest other = Digest.of("another image");
        Path sbom = write("other.amd64.spdx.json", SbomStatementTest.imageSbom(other, "amd64"));
        TrustException e = assertThrows(TrustException.class, () -> ImageSigning.sign(target, image, "base", KEY, sboms(sbom)));
        assertTrue(e.getMessage().startsWith("the SBOM " + sbom + " describes another image (" + other + "), not " + image.digest()),
                e.getMessage());
        assertTrue(e.getMessage().contains("fix: give the SBOM that 'kiln build' wrote"), e.getMessage());
        assertArrayEquals(index, Files.readAllBytes(target.dir().resolve("index.json")), "not even the signature was attached");
    }

    @Test
    void anSbomOfAnotherArchitectureListsThePlatformsItCouldHaveNamed() throws IOException {
        LayoutReferrers multi = LayoutReferrers.open(TestLayouts.twoArch(tmp.resolve("multi"), "bonjour"));
        Descriptor index = multi.image(Optional.empty());
        Path sbom = write("x.spdx.json", SbomStatementTest.imageSbom(image.digest(), "amd64"));
        TrustException e = assertThrows(TrustException.class, () -> ImageSigning.sign(multi, index, "base", KEY, sboms(sbom)));
        assertTrue(e.getMessage().contains("nor any of its platforms' manifests (linux/amd64 sha256:"), e.getMessage());
        assertTrue(e.getMessage().contains(", linux/arm64/v8 sha256:"), e.getMessage());
    }

    @Test
    void anSbomThatNamesNoImageOrIsNoSpdxIsRefused() throws IOException {
        Path noDigest = write("dir.spdx.json", "{\"spdxVersion\":\"SPDX-2.3\",\"documentDescribes\":[\"SPDXRef-d\"],\"packages\":[]}"
                .getBytes(StandardCharsets.UTF_8));
        TrustException e = assertThrows(TrustException.class, () -> ImageSigning.sign(target, image, "base", KEY, sboms(noDigest)));
        assertTrue(e.getMessage().contains("names no image digest") && e.getMessage().contains("expected " + image.digest()),
                e.getMessage());
        Path cyclone = write("bom.json", "{\"bomFormat\":\"CycloneDX\"}".getBytes(StandardCharsets.UTF_8));
        e = assertThrows(TrustException.class, () -> ImageSigning.sign(target, image, "base", KEY, sboms(cyclone)));
        assertTrue(e.getMessage().contains("is not an SPDX JSON document"), e.getMessage());
        Path missing = tmp.resolve("missing.spdx.json");
        e = assertThrows(TrustException.class, () -> ImageSigning.sign(target, image, "base", KEY, sboms(missing)));
        assertTrue(e.getMessage().startsWith("cannot read the SBOM " + missing), e.getMessage());
    }
}
