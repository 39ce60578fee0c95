package dev.kiln.trust;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.store.Digest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimpleSigningTest {
    static final Digest DIGEST = Digest.parse("sha256:4aa3054270f7a70b4528f2064ee90961788e1e1518703592ae4463de3b889dec");

    @Test
    void thePayloadHasCosignsExactBytes() {
        // the bytes cosign's own tests expect for this image (Go's encoding of SimpleContainerImage)
        assertEquals("{\"critical\":{\"identity\":{\"docker-reference\":\"index.docker.io/namespace/image\"},"
                + "\"image\":{\"docker-manifest-digest\":\"sha256:4aa3054270f7a70b4528f2064ee90961788e1e1518703592ae4463de3b889dec\"},"
                + "\"type\":\"cosign container image signature\"},\"optional\":null}",
                new String(SimpleSigning.payload("index.docker.io/namespace/image", DIGEST, Map.of()), UTF_8));
    }

    @Test
    void optionalClaimsAreWrittenSortedByKey() {
        String payload = new String(SimpleSigning.payload("base", DIGEST, Map.of("z", "1", "a", "2")), UTF_8);
        assertTrue(payload.endsWith(",\"optional\":{\"a\":\"2\",\"z\":\"1\"}}"), payload);
    }

    @Test
    void aPayloadParsesBackToItsClaims() {
        SimpleSigning.Claims claims = SimpleSigning.parse(SimpleSigning.payload("localhost:5000/team/base", DIGEST, Map.of("k", "v")));
        assertEquals("localhost:5000/team/base", claims.identity());
        assertEquals(DIGEST, claims.manifestDigest());
        assertEquals(Map.of("k", "v"), claims.optional());
    }

    @Test
    void repositoryNamesAreCheckedAsCosignWouldParseThem() {
        for (String ok : new String[] {"base", "team/base", "registry.example/team/base", "localhost:5000/a_b/c-d", "a__b"}) {
            assertTrue(SimpleSigning.isRepository(ok), ok);
        }
        for (String bad : new String[] {"", "Base", "team/base:latest", "team/base@sha256:00", "-base", "team//base", "a b"}) {
            assertFalse(SimpleSigning.isRepository(bad), bad);
        }
    }

    @Test
    void aPayloadOfAnotherTypeOrWithoutDigestIsRefused() {
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> SimpleSigning.parse(
                "{\"critical\":{\"identity\":{},\"image\":{\"docker-manifest-digest\":\"sha256:00\"},\"type\":\"atomic container signature\"}}"
                        .getBytes(UTF_8)));
        assertTrue(type.getMessage().contains("'atomic container signature'"), type.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SimpleSigning.parse(
                "{\"critical\":{\"type\":\"cosign container image signature\"}}".getBytes(UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> SimpleSigning.parse("not json".getBytes(UTF_8)));
    }

    @Test
    void aPayloadWithTwoDigestsIsRefusedRatherThanReadEitherWay() {
        String dup = "{\"critical\":{\"identity\":{\"docker-reference\":\"a\"},\"image\":{\"docker-manifest-digest\":\"" + DIGEST
                + "\",\"docker-manifest-digest\":\"" + Digest.of("other") + "\"},\"type\":\"cosign container image signature\"}}";
        assertThrows(IllegalArgumentException.class, () -> SimpleSigning.parse(dup.getBytes(UTF_8)));
    }
}
