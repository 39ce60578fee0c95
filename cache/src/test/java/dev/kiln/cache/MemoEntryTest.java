package dev.kiln.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An entry's form: what another kiln reads, pinned. */
class MemoEntryTest {
    private static final Digest KEY = Digest.of("key".getBytes(StandardCharsets.UTF_8));
    private static final MemoEntry.Blob VALUE = new MemoEntry.Blob(Digest.of("value".getBytes(StandardCharsets.UTF_8)), 5);
    private static final MemoEntry.Blob LAYER = new MemoEntry.Blob(Digest.of("layer".getBytes(StandardCharsets.UTF_8)), 5);

    @Test
    void everyStepsTagIsAValidTagOfAtMost128Characters() {
        for (MemoStep step : MemoStep.values()) {
            String tag = MemoEntry.tag(step, KEY);
            assertTrue(tag.matches("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}"), tag);
        }
        assertEquals("memo-layer-v3-" + KEY.hex(), MemoEntry.tag(MemoStep.LAYER, KEY));
    }

    @Test
    void aStatementReadsBackAsWritten() {
        MemoEntry.Statement s = new MemoEntry.Statement(MemoEntry.FORMAT, "layer-v3", KEY, List.of(VALUE, LAYER));
        assertEquals(s, MemoEntry.Statement.parse(s.json()));
        assertEquals("{\"format\":\"kiln-cache-1\",\"step\":\"layer-v3\",\"key\":\"" + KEY + "\",\"value\":{\"digest\":\""
                + VALUE.digest() + "\",\"size\":5},\"blobs\":[{\"digest\":\"" + LAYER.digest() + "\",\"size\":5}]}",
                new String(s.json(), StandardCharsets.UTF_8));
    }

    @Test
    void aManifestListsTheEnvelopeAsConfigAndTheValueFirst() {
        MemoEntry.Statement s = new MemoEntry.Statement(MemoEntry.FORMAT, "layer-v3", KEY, List.of(VALUE, LAYER));
        MemoEntry.Blob envelope = new MemoEntry.Blob(Digest.of("envelope".getBytes(StandardCharsets.UTF_8)), 8);
        MemoEntry.Parsed parsed = MemoEntry.parseManifest(MemoEntry.manifest(envelope, s));
        assertEquals(envelope, parsed.config());
        assertEquals(List.of(VALUE, LAYER), parsed.layers());
    }

    @Test
    void aManifestOfAnotherArtifactTypeIsNotAnEntry() {
        byte[] image = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + VALUE.digest() + "\",\"size\":5},\"layers\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(IllegalArgumentException.class, () -> MemoEntry.parseManifest(image));
    }

    @Test
    void aCacheIsARepositoryWithoutTagOrDigest() {
        assertEquals("kiln/cache", RegistryStore.repository("registry.example:5000/kiln/cache").repository());
        for (String bad : List.of("registry.example/kiln/cache:latest", "kiln", "registry.example/kiln/cache@" + KEY)) {
            CacheException e = assertThrows(CacheException.class, () -> RegistryStore.repository(bad));
            assertEquals("cache.reference", e.code());
        }
    }
}
