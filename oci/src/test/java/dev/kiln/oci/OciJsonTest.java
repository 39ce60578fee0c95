package dev.kiln.oci;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.store.Digest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OciJsonTest {
    static final Digest LAYER_A = Digest.of("layer a");
    static final Digest LAYER_B = Digest.of("layer b");
    static final Digest DIFF_A = Digest.of("diff a");
    static final Digest DIFF_B = Digest.of("diff b");

    static ImageConfigFile config() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.title", "base");
        labels.put("org.opencontainers.image.description", "a \"quoted\"\ttab and ü");
        ImageConfig runtime = new ImageConfig(Optional.of("65532"),
                List.of("PATH=/usr/bin:/bin", "ZED=last", "ALPHA=1"),
                List.of("/usr/bin/openssl"), List.of("version", "-a"), Optional.of("/home/nonroot"), labels,
                Optional.of("SIGTERM"), new LinkedHashSet<>(List.of("/var/lib/z", "/data")),
                new LinkedHashSet<>(List.of("8080/tcp", "53/udp")));
        Optional<Instant> epoch = Optional.of(Instant.ofEpochSecond(0));
        return new ImageConfigFile(Platform.ofDebian("arm64"), epoch, runtime, List.of(DIFF_A, DIFF_B),
                List.of(new ImageConfigFile.History(epoch, Optional.of("kiln"), Optional.empty(), false),
                        new ImageConfigFile.History(epoch, Optional.of("kiln"), Optional.of("second"), true)));
    }

    @Test
    void configIsCanonicalJsonWithSortedKeysAndEnvInItsOwnOrder() {
        String expected = "{\"architecture\":\"arm64\",\"config\":{"
                + "\"Cmd\":[\"version\",\"-a\"],\"Entrypoint\":[\"/usr/bin/openssl\"],"
                + "\"Env\":[\"PATH=/usr/bin:/bin\",\"ZED=last\",\"ALPHA=1\"],"
                + "\"ExposedPorts\":{\"53/udp\":{},\"8080/tcp\":{}},"
                + "\"Labels\":{\"org.opencontainers.image.description\":\"a \\\"quoted\\\"\\ttab and ü\","
                + "\"org.opencontainers.image.title\":\"base\"},"
                + "\"StopSignal\":\"SIGTERM\",\"User\":\"65532\",\"Volumes\":{\"/data\":{},\"/var/lib/z\":{}},"
                + "\"WorkingDir\":\"/home/nonroot\"},"
                + "\"created\":\"1970-01-01T00:00:00Z\","
                + "\"history\":[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"kiln\"},"
                + "{\"comment\":\"second\",\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"kiln\",\"empty_layer\":true}],"
                + "\"os\":\"linux\","
                + "\"rootfs\":{\"diff_ids\":[\"" + DIFF_A + "\",\"" + DIFF_B + "\"],\"type\":\"layers\"},"
                + "\"variant\":\"v8\"}";
        assertEquals(expected, new String(OciJson.config(config()), UTF_8));
    }

    @Test
    void emptyFieldsAreLeftOut() {
        ImageConfigFile bare = new ImageConfigFile(Platform.ofDebian("amd64"), Optional.empty(), ImageConfig.EMPTY,
                List.of(), List.of());
        assertEquals("{\"architecture\":\"amd64\",\"config\":{},\"os\":\"linux\",\"rootfs\":{\"diff_ids\":[],\"type\":\"layers\"}}",
                new String(OciJson.config(bare), UTF_8));
    }

    static Manifest manifest() {
        Descriptor config = Descriptor.of(MediaTypes.CONFIG, Digest.of("config"), 1234);
        return new Manifest(config, List.of(Descriptor.of(MediaTypes.LAYER_TAR_GZIP, LAYER_A, 100),
                Descriptor.of(MediaTypes.LAYER_TAR_GZIP, LAYER_B, 200)),
                Map.of("org.opencontainers.image.title", "base", "com.example.a", "x"));
    }

    @Test
    void manifestGoldenBytes() {
        String expected = "{\"annotations\":{\"com.example.a\":\"x\",\"org.opencontainers.image.title\":\"base\"},"
                + "\"config\":{\"digest\":\"" + Digest.of("config") + "\",\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":1234},"
                + "\"layers\":["
                + "{\"digest\":\"" + LAYER_A + "\",\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":100},"
                + "{\"digest\":\"" + LAYER_B + "\",\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":200}],"
                + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"schemaVersion\":2}";
        assertEquals(expected, new String(OciJson.manifest(manifest()), UTF_8));
    }

    @Test
    void indexGoldenBytesKeepManifestOrderAndCarryPlatforms() {
        Descriptor amd = Descriptor.of(MediaTypes.MANIFEST, Digest.of("amd"), 500).withPlatform(Platform.ofDebian("amd64"));
        Descriptor arm = Descriptor.of(MediaTypes.MANIFEST, Digest.of("arm"), 501).withPlatform(Platform.ofDebian("arm64"));
        String expected = "{\"manifests\":["
                + "{\"digest\":\"" + Digest.of("amd") + "\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"size\":500},"
                + "{\"digest\":\"" + Digest.of("arm") + "\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"},\"size\":501}],"
                + "\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"schemaVersion\":2}";
        assertEquals(expected, new String(OciJson.index(new Index(List.of(amd, arm), Map.of())), UTF_8));
    }

    @Test
    void theSameObjectBuiltInAnotherOrderHasTheSameBytesAndDigest() {
        Map<String, String> reversed = new LinkedHashMap<>();
        reversed.put("org.opencontainers.image.title", "base");
        reversed.put("com.example.a", "x");
        Manifest again = new Manifest(manifest().config(), manifest().layers(), reversed);
        assertArrayEquals(OciJson.manifest(manifest()), OciJson.manifest(again));
        assertEquals(Digest.of(OciJson.config(config())), Digest.of(OciJson.config(config())));
        ImageConfig c = config().config();
        ImageConfig shuffled = new ImageConfig(c.user(), c.env(), c.entrypoint(), c.cmd(), c.workingDir(), c.labels(),
                c.stopSignal(), Set.of("/data", "/var/lib/z"), Set.of("8080/tcp", "53/udp"));
        assertArrayEquals(OciJson.config(config()), OciJson.config(config().withConfig(shuffled)));
    }

    @Test
    void controlCharactersAreEscapedAndNothingElse() {
        Descriptor d = Descriptor.of(MediaTypes.CONFIG, LAYER_A, 1)
                .withAnnotations(Map.of("k", "\u0001\n\\/<&>\u2028é😀"));
        String json = new String(OciJson.descriptorBytes(d), UTF_8);
        assertEquals("{\"annotations\":{\"k\":\"\\u0001\\n\\\\/<&>\u2028é😀\"},\"digest\":\"" + LAYER_A
                + "\",\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":1}", json);
        assertThrows(IllegalArgumentException.class,
                () -> OciJson.descriptorBytes(d.withAnnotations(Map.of("k", "\ud800x"))));
    }

    @Test
    void keysSortByCodePoint() {
        List<String> keys = new java.util.ArrayList<>(List.of("😀", "\uffff", "a", "Z", "A", "AB"));
        keys.sort(OciJson.KEY_ORDER);
        assertEquals(List.of("A", "AB", "Z", "a", "\uffff", "😀"), keys); // String.compareTo would put 😀 before \uffff
    }

    @Test
    void createdIsTheEpochInRfc3339() {
        assertEquals("2023-11-14T22:13:20Z", OciJson.time(Instant.ofEpochSecond(1_700_000_000L)));
    }

    @Test
    void layoutMarker() {
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", new String(OciJson.LAYOUT_MARKER, UTF_8));
    }
    @Test
    void anyDocumentIsWrittenWithKeysInCodePointOrderAtEveryLevelAndEmptiesKept() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("b", 2);
        inner.put("B", List.of());
        inner.put("\uD83D\uDE00", true);
        inner.put("\uFFFD", Map.of());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("z", List.of(inner, "s", 3L));
        doc.put("_type", "t");
        // U+1F600 sorts after U+FFFD by code point (UTF-16 order would put it first)
        assertEquals("{\"_type\":\"t\",\"z\":[{\"B\":[],\"b\":2,\"\uFFFD\":{},\"\uD83D\uDE00\":true},\"s\",3]}",
                new String(OciJson.canonical(doc), UTF_8));
    }

    @Test
    void canonicalRefusesWhatIsNotJson() {
        assertThrows(IllegalArgumentException.class, () -> OciJson.canonical(Map.of(1, "x")));
        assertThrows(IllegalArgumentException.class, () -> OciJson.canonical(List.of(1.5)));
    }

    @Test
    void aManifestThatTwoReadersCouldReadTwoWaysIsRefused() {
        String config = "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + LAYER_A
                + "\",\"size\":1}";
        String other = config.replace(LAYER_A.toString(), LAYER_B.toString());
        byte[] twice = ("{\"schemaVersion\":2,\"config\":" + config + ",\"config\":" + other + ",\"layers\":[]}").getBytes(UTF_8);
        OciException e = assertThrows(OciException.class,
                () -> OciJsonReader.manifest(twice, "twice.json"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("expected each key once in an object, found \"config\" a second time"), e.getMessage());
        byte[] trailing = ("{\"schemaVersion\":2,\"config\":" + config + ",\"layers\":[]} {}").getBytes(UTF_8);
        assertThrows(OciException.class, () -> OciJsonReader.manifest(trailing, "trailing.json"));
        byte[] fine = ("{\"schemaVersion\":2,\"config\":" + config + ",\"layers\":[]}\n").getBytes(UTF_8);
        assertEquals(LAYER_A, OciJsonReader.manifest(fine, "fine.json").config().digest());
    }
}
