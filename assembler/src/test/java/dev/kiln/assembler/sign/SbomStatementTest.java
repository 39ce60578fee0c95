package dev.kiln.assembler.sign;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.assembler.sbom.LockFixture;
import dev.kiln.assembler.sbom.SpdxSbom;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SbomStatementTest {
    static final Digest AMD64 = Digest.of("amd64 manifest");
    static final Digest OTHER = Digest.of("another manifest");

    /** What kiln build writes beside a layout for one architecture. */
    static byte[] kilnSbom(Digest manifest, String arch) {
        return SpdxSbom.of(LockFixture.lock(), new SpdxSbom.Image("base-oci", manifest, arch, 1_700_000_000L), "test").json();
    }

    @Test
    void kilnsSbomDescribesTheArchitecturesManifest() {
        assertEquals(Set.of(AMD64), SbomStatement.describedImages(kilnSbom(AMD64, "amd64")));
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

    @Test
    void theStatementIsCosignsSpdxAttestationWithTheDocumentAsPredicate() throws IOException {
        byte[] sbom = kilnSbom(AMD64, "amd64");
        byte[] statement = SbomStatement.statement(sbom, "registry.example/base", List.of(AMD64));
        ObjectMapper json = new ObjectMapper();
        JsonNode s = json.readTree(statement);
        assertEquals("https://in-toto.io/Statement/v1", s.get("_type").asText());
        assertEquals("https://spdx.dev/Document", s.get("predicateType").asText());
        assertEquals(json.readTree(sbom), s.get("predicate"));
        assertEquals(1, s.get("subject").size());
        assertEquals("registry.example/base", s.get("subject").get(0).get("name").asText());
        assertEquals(AMD64.hex(), s.get("subject").get(0).get("digest").get("sha256").asText());
        assertEquals(SbomStatement.PREDICATE_TYPE, Attestations.predicateType(statement, AMD64), "an attestation of the manifest");
        assertArrayEquals(statement, SbomStatement.statement(sbom, "registry.example/base", List.of(AMD64)), "the same bytes again");
        assertTrue(new String(statement, UTF_8).startsWith("{\"_type\":"), "keys sorted, no whitespace");
    }
}
