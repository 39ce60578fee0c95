package dev.kiln.trust;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.store.Digest;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SbomStatementTest {
    static final Digest AMD64 = Digest.of("amd64 manifest");
    static final Digest OTHER = Digest.of("another manifest");

    /**
     * An SPDX SBOM of one architecture's image shaped as kiln build writes it (the image package
     * described, with its SHA256 checksum, version and purl, and one Debian package); kiln's own
     * writer is held to the same reading by KilnSbomStatementTest, where that writer is.
     */
    static byte[] imageSbom(Digest manifest, String arch) {
        return ("{\"SPDXID\":\"SPDXRef-DOCUMENT\",\"creationInfo\":{\"created\":\"2023-11-14T22:13:20Z\",\"creators\":[\"Tool: kiln-test\"]},"
                + "\"dataLicense\":\"CC0-1.0\",\"documentDescribes\":[\"SPDXRef-Image\"],"
                + "\"documentNamespace\":\"https://kiln.dev/spdx/base-oci/" + manifest.hex() + "\",\"name\":\"base-oci linux/" + arch + "\","
                + "\"packages\":[{\"SPDXID\":\"SPDXRef-Image\",\"checksums\":[{\"algorithm\":\"SHA256\",\"checksumValue\":\"" + manifest.hex()
                + "\"}],\"downloadLocation\":\"NOASSERTION\",\"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\","
                + "\"referenceLocator\":\"pkg:oci/base-oci@" + manifest + "?arch=" + arch + "\",\"referenceType\":\"purl\"}],"
                + "\"filesAnalyzed\":false,\"name\":\"base-oci\",\"primaryPackagePurpose\":\"CONTAINER\",\"versionInfo\":\"" + manifest + "\"},"
                + "{\"SPDXID\":\"SPDXRef-Package-libc6\",\"downloadLocation\":\"NOASSERTION\",\"filesAnalyzed\":false,\"name\":\"libc6\","
                + "\"versionInfo\":\"2.36-9+deb12u4\"}],"
                + "\"relationships\":[{\"relatedSpdxElement\":\"SPDXRef-Package-libc6\",\"relationshipType\":\"CONTAINS\","
                + "\"spdxElementId\":\"SPDXRef-Image\"}],\"spdxVersion\":\"SPDX-2.3\"}").getBytes(UTF_8);
    }

    @Test
    void anSbomThatNamesTheImageOnlyByVersionAndEncodedPurlIsUnderstood() {
        // as syft describes an image: no checksum, the purl's ':' percent-encoded, described through a relationship
        byte[] syft = ("{\"spdxVersion\":\"SPDX-2.3\",\"SPDXID\":\"SPDXRef-DOCUMENT\",\"packages\":[{\"SPDXID\":\"SPDXRef-img\","
                + "\"name\":\"base\",\"versionInfo\":\"" + AMD64 + "\",\"externalRefs\":[{\"referenceType\":\"purl\","
                + "\"referenceLocator\":\"pkg:oci/base@sha256%3A" + AMD64.hex() + "?arch=amd64\"}]},"
                + "{\"SPDXID\":\"SPDXRef-lib\",\"versionInfo\":\"" + OTHER + "\"}],"
                + "\"relationships\":[{\"spdxElementId\":\"SPDXRef-DOCUMENT\",\"relationshipType\":\"DESCRIBES\","
                + "\"relatedSpdxElement\":\"SPDXRef-img\"}]}").getBytes(UTF_8);
        assertEquals(Set.of(AMD64), SbomStatement.describedImages(syft), "only the described package counts, not every package");
    }

    @Test
    void anSbomDescribingNoImageNamesNoDigest() {
        byte[] dir = "{\"spdxVersion\":\"SPDX-2.3\",\"documentDescribes\":[\"SPDXRef-dir\"],\"packages\":[{\"SPDXID\":\"SPDXRef-dir\",\"name\":\".\"}]}"
                .getBytes(UTF_8);
        assertEquals(Set.of(), SbomStatement.describedImages(dir));
    }

    @Test
    void somethingThatIsNotSpdxIsRefusedSayingWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SbomStatement.describedImages("{\"bomFormat\":\"CycloneDX\"}".getBytes(UTF_8)));
        assertTrue(e.getMessage().contains("expected an SPDX JSON document"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SbomStatement.describedImages("{\"spdxVersion\":\"SPDX-2.3\",".getBytes(UTF_8)));
        assertThrows(IllegalArgumentException.class,
                () -> SbomStatement.describedImages("{\"spdxVersion\":\"SPDX-2.3\",\"spdxVersion\":\"SPDX-2.2\"}".getBytes(UTF_8)),
                "a duplicate key could read as two documents");
        IllegalArgumentException trailing = assertThrows(IllegalArgumentException.class,
                () -> SbomStatement.describedImages("{\"spdxVersion\":\"SPDX-2.3\"} {\"spdxVersion\":\"SPDX-2.2\"}".getBytes(UTF_8)),
                "a second document after the first could be read by another reader instead");
        assertTrue(trailing.getMessage().contains("expected the end of the file after the document, found more: another object"), trailing.getMessage());
    }

}
