package dev.kiln.trust;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.internal.sbom.LockFixture;
import dev.kiln.api.internal.sbom.SpdxSbom;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The SBOM kiln writes, as signing wraps it in a statement. These tests need kiln's SBOM writer,
 * which the trust module does not see, so they run here, in trust's package (for
 * {@link Attestations#predicateType}); the rest of SbomStatement's tests are trust's own.
 */
class KilnSbomStatementTest {
    static final Digest AMD64 = Digest.of("amd64 manifest");

    /** What kiln build writes beside a layout for one architecture. */
    static byte[] kilnSbom(Digest manifest, String arch) {
        return SpdxSbom.of(LockFixture.lock(), new SpdxSbom.Image("base-oci", manifest, arch, 1_700_000_000L), "test").json();
    }

    @Test
    void kilnsSbomDescribesTheArchitecturesManifest() {
        assertEquals(Set.of(AMD64), SbomStatement.describedImages(kilnSbom(AMD64, "amd64")));
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
