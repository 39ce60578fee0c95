package dev.kiln.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.store.Digest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one rule by which kiln verify, sign, push and --tarball find the image in a layout's index.json. */
class PickImageTest {
    private static Descriptor entry(String seed, String name) {
        Descriptor d = Descriptor.of(MediaTypes.MANIFEST, Digest.of(seed), 100);
        return name == null ? d : d.withAnnotations(Map.of(ImageLayout.REF_NAME, name));
    }

    private static final Descriptor LATEST = entry("image", "latest");
    private static final Descriptor LATEST_AMD64 = entry("image", "latest-amd64");
    private static final Descriptor V1 = entry("v1", "v1");
    private static final Descriptor UNNAMED = entry("unnamed", null);
    private static final Descriptor SIGNATURE = entry("signature", null);
    private static final Descriptor ATTESTATION = entry("attestation", null);
    private static final Set<Descriptor> REFERRERS = Set.of(SIGNATURE, ATTESTATION);

    /** A signature or an attestation has a subject; an image does not. */
    private static byte[] manifest(Descriptor d) {
        String subject = REFERRERS.contains(d) ? ",\"subject\":{\"mediaType\":\"" + MediaTypes.MANIFEST
                + "\",\"digest\":\"" + Digest.of("image") + "\",\"size\":100}" : "";
        return ("{\"schemaVersion\":2" + subject + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Descriptor pick(Optional<String> ref, Descriptor... entries) {
        return LayoutReader.pickImage(List.of(entries), ref, PickImageTest::manifest, "index.json");
    }

    private static String refused(Optional<String> ref, Descriptor... entries) {
        return assertThrows(OciException.class, () -> pick(ref, entries)).getMessage();
    }

    @Test
    void aNameGivenPicksTheEntryOfThatName() {
        assertEquals(V1, pick(Optional.of("v1"), LATEST, LATEST_AMD64, V1, SIGNATURE));
        assertEquals(LATEST_AMD64, pick(Optional.of("latest-amd64"), LATEST, LATEST_AMD64));
        String e = refused(Optional.of("v2"), LATEST, V1);
        assertTrue(e.contains("expected one image named 'v2', found 0 (names: latest, v1)"), e);
        e = refused(Optional.of("v1"), V1, entry("other", "v1"));
        assertTrue(e.contains("expected one image named 'v1', found 2"), e);
    }

    @Test
    void withoutANameLatestWinsOverOtherNamesAndReferrers() {
        assertEquals(LATEST, pick(Optional.empty(), LATEST_AMD64, LATEST, SIGNATURE, ATTESTATION));
        assertEquals(LATEST, pick(Optional.empty(), V1, LATEST));
        String e = refused(Optional.empty(), LATEST, entry("other", "latest"));
        assertTrue(e.contains("expected one image named 'latest', found 2"), e);
    }

    @Test
    void elseTheOnlyNamedEntry() {
        assertEquals(V1, pick(Optional.empty(), SIGNATURE, V1, ATTESTATION));
        assertEquals(V1, pick(Optional.empty(), V1, UNNAMED));
        String e = refused(Optional.empty(), V1, entry("v2", "v2"), SIGNATURE);
        assertTrue(e.contains("holds several images and none is named 'latest' (names: v1, v2)")
                && e.endsWith("\n  fix: name the image wanted"), e);
    }

    @Test
    void elseTheOnlyEntryThatIsNoReferrer() {
        assertEquals(UNNAMED, pick(Optional.empty(), SIGNATURE, UNNAMED, ATTESTATION));
        assertEquals(UNNAMED, pick(Optional.empty(), UNNAMED));
        String e = refused(Optional.empty(), UNNAMED, entry("another", null), SIGNATURE);
        assertTrue(e.contains("expected one image, found 2 entries"), e);
        e = refused(Optional.empty(), SIGNATURE);
        assertTrue(e.contains("expected one image, found 0 entries"), e);
        e = refused(Optional.empty());
        assertTrue(e.contains("found 0"), e);
    }
}
