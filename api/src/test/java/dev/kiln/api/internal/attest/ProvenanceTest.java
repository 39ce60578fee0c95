package dev.kiln.api.internal.attest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.internal.sbom.LockFixture;
import dev.kiln.api.internal.sbom.Purl;
import dev.kiln.assembler.layer.TarLayerWriter;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.ImageConfigFile;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.Index;
import dev.kiln.oci.LayerDigests;
import dev.kiln.oci.OciException;
import dev.kiln.oci.Platform;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long EPOCH = LockFixture.SECURITY_DATE.getEpochSecond();

    @TempDir
    Path tmp;

    static Provenance provenance() {
        return new Provenance(LockFixture.lock(), List.of(new Provenance.Subject("base", Digest.of("index")),
                new Provenance.Subject("base@linux/amd64", Digest.of("amd64")),
                new Provenance.Subject("base@linux/arm64/v8", Digest.of("arm64"))), "0.1.0", EPOCH);
    }

    @Test
    void anInTotoStatementV1WithSlsaProvenanceV1() throws IOException {
        JsonNode st = JSON.readTree(provenance().json());
        assertEquals("https://in-toto.io/Statement/v1", st.get("_type").asText());
        assertEquals("https://slsa.dev/provenance/v1", st.get("predicateType").asText());
        assertEquals(3, st.get("subject").size());
        JsonNode first = st.get("subject").get(0);
        assertEquals("base", first.get("name").asText());
        assertEquals(Digest.of("index").hex(), first.get("digest").get("sha256").asText(), "bare hex, as in-toto's DigestSet");
        JsonNode def = st.get("predicate").get("buildDefinition");
        assertEquals(Provenance.BUILD_TYPE, def.get("buildType").asText());
        assertEquals("base.yaml", def.get("externalParameters").get("spec").get("path").asText());
        assertEquals(Digest.of("spec").toString(), def.get("externalParameters").get("spec").get("digest").asText());
        assertEquals(EPOCH, def.get("internalParameters").get("epoch").asLong());
        JsonNode builder = st.get("predicate").get("runDetails").get("builder");
        assertEquals("pkg:maven/dev.kiln/kiln-cli@0.1.0", builder.get("id").asText());
        assertEquals("0.1.0", builder.get("version").get("kiln").asText());
        assertTrue(st.get("predicate").get("runDetails").get("metadata") == null, "no start or finish time: no wall clock");
    }

    @Test
    void everyReleaseWithItsDigestDateAndSignersThenEveryPackageFileOnce() throws IOException {
        Lock lock = LockFixture.lock();
        JsonNode deps = JSON.readTree(provenance().json()).get("predicate").get("buildDefinition").get("resolvedDependencies");
        JsonNode main = deps.get(0);
        assertEquals("deb ${DEBIAN_MIRROR} bookworm main", main.get("name").asText(), "as the lock has it: no host");
        assertEquals(Digest.of("main InRelease").hex(), main.get("digest").get("sha256").asText());
        assertEquals("[\"" + LockFixture.MAIN_KEY + "\"]", main.get("annotations").get("signedBy").toString());
        assertEquals("2025-01-11T10:53:13Z", main.get("annotations").get("date").asText());
        assertTrue(main.get("annotations").get("validUntil") == null);
        JsonNode security = deps.get(1);
        assertEquals("[\"" + LockFixture.SECURITY_KEY + "\",\"" + LockFixture.SECURITY_KEY_2 + "\"]",
                security.get("annotations").get("signedBy").toString());
        assertEquals("2025-02-09T21:04:11Z", security.get("annotations").get("validUntil").asText());

        List<String> uris = new ArrayList<>();
        for (int i = 2; i < deps.size(); i++) {
            JsonNode d = deps.get(i);
            uris.add(d.get("uri").asText());
            assertTrue(d.get("uri").asText().startsWith("pkg:deb/debian/" + d.get("name").asText().replace("+", "%2B") + "@"), d.toString());
        }
        List<String> expected = new ArrayList<>();
        for (Lock.Package p : lock.allPackages()) {
            expected.add(Purl.deb(lock, p));
        }
        assertEquals(expected.size(), uris.size(), "tzdata (Architecture: all, in both archs) is listed once");
        assertTrue(uris.containsAll(expected), uris.toString());
        JsonNode tz = deps.get(2 + uris.indexOf(Purl.deb(lock, LockFixture.TZDATA)));
        assertEquals(LockFixture.TZDATA.sha256().hex(), tz.get("digest").get("sha256").asText());
        assertEquals("pkg:deb/debian/base-files@12.4%2Bdeb12u9?arch=amd64&distro=bookworm", uris.get(0), "sorted by name, then arch");
    }

    @Test
    void theBytesAreCanonicalAndTheSameEveryTime() throws IOException {
        byte[] a = provenance().json();
        assertArrayEquals(a, provenance().json());
        String text = new String(a, UTF_8);
        assertTrue(!text.contains("\n") && !text.contains(": ") && !text.contains(", "), "no whitespace between tokens");
        assertSorted(JSON.readTree(a), "$");
    }

    /** Jackson keeps the document's key order: each object's keys must already be in code point order. */
    private static void assertSorted(JsonNode n, String path) {
        if (n.isObject()) {
            String previous = null;
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                assertTrue(previous == null || previous.compareTo(k) < 0, path + ": " + previous + " before " + k);
                previous = k;
                assertSorted(n.get(k), path + "." + k);
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                assertSorted(n.get(i), path + "[" + i + "]");
            }
        }
    }

    @Test
    void theSubjectsOfATwoArchitectureLayoutAreItsIndexAndEachManifest() throws IOException {
        List<Descriptor> images = new ArrayList<>();
        Path out;
        try (ImageLayout layout = ImageLayout.stage(tmp.resolve("oci"))) {
            for (String arch : List.of("amd64", "arm64")) {
                FileTree tree = FileTree.builder("t").add(Entry.dir("/", 0755, 0, 0, 0))
                        .add(Entry.file("/arch", 0644, 0, 0, 1, Content.of(arch.getBytes(UTF_8)))).build();
                LayerDigests layer = layout.writeLayer(o -> new TarLayerWriter(EPOCH).writeGzip(tree, o));
                ImageConfigFile config = new ImageConfigFile(Platform.ofDebian(arch), Optional.empty(), ImageConfig.EMPTY,
                        List.of(layer.uncompressed()), List.of());
                images.add(layout.writeImage(config, List.of(layer), Map.of()));
            }
            Descriptor index = layout.writeIndex(new Index(images, Map.of()));
            out = layout.commit(index, "latest");
        }
        JsonNode top = JSON.readTree(Files.readAllBytes(out.resolve("index.json"))).get("manifests").get(0);
        List<Provenance.Subject> subjects = Provenance.subjects(out, "two");
        assertEquals(List.of(
                new Provenance.Subject("two", Digest.parse(top.get("digest").asText())),
                new Provenance.Subject("two@linux/amd64", images.get(0).digest()),
                new Provenance.Subject("two@linux/arm64/v8", images.get(1).digest())), subjects);
    }

    @Test
    void aDirectoryThatIsNotALayoutIsAClearError() {
        var e = assertThrows(OciException.class, () -> Provenance.subjects(tmp, "x"));
        assertTrue(e.getMessage().contains("not an OCI image layout"), e.getMessage());
    }

    @Test
    void localSourcesFollowThePackagesByTheDigestOfTheirListing() throws IOException {
        Lock lock = LockFixture.lock().withCopies(List.of(new Lock.Copy("/srv/www", "./www", Digest.of("listing"), 2, 40)));
        JsonNode deps = JSON.readTree(new Provenance(lock, List.of(new Provenance.Subject("base", Digest.of("index"))), "0.1.0", EPOCH)
                .json()).get("predicate").get("buildDefinition").get("resolvedDependencies");
        JsonNode www = deps.get(deps.size() - 1);
        assertEquals("/srv/www", www.get("name").asText());
        assertEquals(Digest.of("listing").hex(), www.get("digest").get("sha256").asText());
        assertEquals("./www", www.get("annotations").get("source").asText());
        assertEquals("kiln-source-1", www.get("annotations").get("listing").asText());
    }
}
