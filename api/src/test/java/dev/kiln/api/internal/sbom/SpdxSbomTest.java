package dev.kiln.api.internal.sbom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

class SpdxSbomTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Digest IMAGE = Digest.of("an amd64 manifest");
    static final long EPOCH = LockFixture.SECURITY_DATE.getEpochSecond();

    static SpdxSbom sbom() {
        return SpdxSbom.of(LockFixture.lock(), new SpdxSbom.Image("Base", IMAGE, "amd64", EPOCH), "0.1.0");
    }

    static JsonNode tree(SpdxSbom s) throws IOException {
        return JSON.readTree(s.json());
    }

    static JsonNode schema() throws IOException {
        try (InputStream in = SpdxSbomTest.class.getResourceAsStream("/spdx/spdx-schema-2.3.json")) {
            return JSON.readTree(in);
        }
    }

    static JsonNode packageNamed(JsonNode doc, String name) {
        for (JsonNode p : doc.get("packages")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no package " + name);
    }

    @Test
    void theDocumentConformsToTheSpdx23JsonSchema() throws IOException {
        JsonNode doc = tree(sbom());
        assertEquals(List.of(), SchemaSubset.violations(schema(), doc));
    }

    @Test
    void theSchemaCheckCatchesAMissingRequiredFieldAndAWrongEnum() throws IOException {
        ObjectNode doc = (ObjectNode) tree(sbom());
        doc.remove("dataLicense");
        ((ObjectNode) doc.get("packages").get(1).get("checksums").get(0)).put("algorithm", "SHA-256");
        List<String> v = SchemaSubset.violations(schema(), doc);
        assertTrue(v.contains("$: required 'dataLicense' is missing"), v.toString());
        assertTrue(v.stream().anyMatch(s -> s.startsWith("$.packages[1].checksums[0].algorithm: \"SHA-256\" is not one of")), v.toString());
    }

    @Test
    void theDocumentHasEveryFieldSpdx23MakesMandatory() throws IOException {
        JsonNode doc = tree(sbom());
        assertEquals("SPDX-2.3", doc.get("spdxVersion").asText());
        assertEquals("CC0-1.0", doc.get("dataLicense").asText());
        assertEquals("SPDXRef-DOCUMENT", doc.get("SPDXID").asText());
        assertEquals("Base linux/amd64", doc.get("name").asText());
        URI ns = URI.create(doc.get("documentNamespace").asText());
        assertEquals("https", ns.getScheme());
        assertTrue(ns.getPath().endsWith("/" + IMAGE.hex()), "derived from the image digest: " + ns);
        assertEquals("2025-02-02T21:04:11Z", doc.get("creationInfo").get("created").asText(), "the image epoch, not the clock");
        assertEquals("[\"Tool: kiln-0.1.0\"]", doc.get("creationInfo").get("creators").toString());
        for (JsonNode p : doc.get("packages")) {
            for (String f : List.of("SPDXID", "name", "versionInfo", "downloadLocation", "supplier", "checksums", "externalRefs")) {
                assertTrue(p.has(f), p.get("name") + " has " + f);
            }
            assertFalse(p.get("filesAnalyzed").asBoolean(), "no file list, so no verification code is owed");
        }
    }

    @Test
    void everyPackageOfTheArchitectureWithVersionChecksumAndPurlAndNothingElse() throws IOException {
        Lock lock = LockFixture.lock();
        JsonNode doc = tree(sbom());
        List<String> names = new ArrayList<>();
        doc.get("packages").forEach(p -> names.add(p.get("name").asText()));
        assertEquals(List.of("Base", "base-files", "libc6", "libstdc++6", "tzdata", "zlib1g"), names);
        for (Lock.Package p : lock.packages("amd64")) {
            JsonNode n = packageNamed(doc, p.name());
            assertEquals(p.version(), n.get("versionInfo").asText());
            assertEquals("NOASSERTION", n.get("downloadLocation").asText());
            assertEquals("NOASSERTION", n.get("supplier").asText(), "the lock has no Maintainer");
            assertEquals("SHA256", n.get("checksums").get(0).get("algorithm").asText());
            assertEquals(p.sha256().hex(), n.get("checksums").get(0).get("checksumValue").asText());
            JsonNode ref = n.get("externalRefs").get(0);
            assertEquals("PACKAGE-MANAGER", ref.get("referenceCategory").asText());
            assertEquals("purl", ref.get("referenceType").asText());
            assertEquals(Purl.deb(lock, p), ref.get("referenceLocator").asText());
        }
        assertEquals("pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64&distro=bookworm",
                packageNamed(doc, "libc6").get("externalRefs").get(0).get("referenceLocator").asText());
        assertEquals("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=bookworm",
                packageNamed(doc, "zlib1g").get("externalRefs").get(0).get("referenceLocator").asText());
        assertEquals("built from the Debian source package glibc", packageNamed(doc, "libc6").get("sourceInfo").asText());
        JsonNode image = packageNamed(doc, "Base");
        assertEquals("CONTAINER", image.get("primaryPackagePurpose").asText());
        assertEquals(IMAGE.hex(), image.get("checksums").get(0).get("checksumValue").asText());
        assertEquals("pkg:oci/base@" + IMAGE + "?arch=amd64", image.get("externalRefs").get(0).get("referenceLocator").asText());
    }

    @Test
    void theDocumentDescribesTheImageAndTheImageContainsEveryPackage() throws IOException {
        JsonNode doc = tree(sbom());
        Set<String> ids = new HashSet<>();
        for (JsonNode p : doc.get("packages")) {
            String id = p.get("SPDXID").asText();
            assertTrue(id.matches("SPDXRef-[A-Za-z0-9.-]+"), id);
            assertTrue(ids.add(id), "unique: " + id);
        }
        assertEquals("[\"SPDXRef-Image\"]", doc.get("documentDescribes").toString());
        Set<String> contained = new HashSet<>();
        int describes = 0;
        for (JsonNode r : doc.get("relationships")) {
            String from = r.get("spdxElementId").asText();
            String type = r.get("relationshipType").asText();
            String to = r.get("relatedSpdxElement").asText();
            if (type.equals("DESCRIBES")) {
                assertEquals("SPDXRef-DOCUMENT", from);
                assertEquals("SPDXRef-Image", to);
                describes++;
            } else {
                assertEquals("CONTAINS", type);
                assertEquals("SPDXRef-Image", from);
                assertTrue(ids.contains(to), to);
                contained.add(to);
            }
        }
        assertEquals(1, describes);
        ids.remove("SPDXRef-Image");
        assertEquals(ids, contained);
    }

    @Test
    void aMaintainerBecomesTheSupplierInSpdxAgentSyntax() throws IOException {
        Lock lock = LockFixture.lock();
        Map<Digest, String> maintainers = Map.of(
                lock.packages("amd64").get(1).sha256(), "GNU Libc Maintainers <debian-glibc@lists.debian.org>",
                lock.packages("amd64").get(4).sha256(), "Mark Brown <broonie@debian.org>");
        JsonNode doc = tree(sbom().withMaintainers(maintainers));
        assertEquals("Organization: GNU Libc Maintainers (debian-glibc@lists.debian.org)", packageNamed(doc, "libc6").get("supplier").asText());
        assertEquals("Person: Mark Brown (broonie@debian.org)", packageNamed(doc, "zlib1g").get("supplier").asText());
        assertEquals("NOASSERTION", packageNamed(doc, "tzdata").get("supplier").asText());
        assertEquals("Person: someone", SpdxSbom.supplier("someone"));
        assertEquals("Organization: Debian Python Team (team+python@tracker.debian.org)",
                SpdxSbom.supplier("Debian Python Team <team+python@tracker.debian.org>"));
    }

    @Test
    void theBytesDependOnlyOnTheInputsNotOnLocaleTimeZoneOrMapOrder() {
        byte[] first = sbom().json();
        Locale locale = Locale.getDefault();
        TimeZone zone = TimeZone.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Chatham"));
            assertArrayEquals(first, sbom().json());
        } finally {
            Locale.setDefault(locale);
            TimeZone.setDefault(zone);
        }
        String text = new String(first, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\"SPDXID\":\"SPDXRef-DOCUMENT\",\"creationInfo\":"), "canonical: sorted keys, no spaces");
        byte[] other = SpdxSbom.of(LockFixture.lock(), new SpdxSbom.Image("Base", Digest.of("another"), "amd64", EPOCH), "0.1.0").json();
        assertFalse(java.util.Arrays.equals(first, other));
    }

    @Test
    void theArm64DocumentListsArm64Packages() throws IOException {
        JsonNode doc = tree(SpdxSbom.of(LockFixture.lock(), new SpdxSbom.Image("base", IMAGE, "arm64", EPOCH), "0.1.0"));
        assertEquals("base linux/arm64/v8", doc.get("name").asText());
        assertEquals("pkg:deb/debian/libfoo0@1.0~rc1-1?arch=arm64&distro=bookworm",
                packageNamed(doc, "libfoo0").get("externalRefs").get(0).get("referenceLocator").asText());
        assertEquals("pkg:oci/base@" + IMAGE + "?arch=arm64", packageNamed(doc, "base").get("externalRefs").get(0)
                .get("referenceLocator").asText());
    }

    @Test
    void anArchitectureTheLockDoesNotHaveIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> SpdxSbom.of(LockFixture.lock(), new SpdxSbom.Image("base", IMAGE, "riscv64", EPOCH), "0.1.0"));
        assertTrue(e.getMessage().contains("no packages for riscv64"), e.getMessage());
    }
}
