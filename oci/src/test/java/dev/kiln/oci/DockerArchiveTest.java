package dev.kiln.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.testing.TestImages;
import dev.kiln.oci.testing.Tools;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerArchiveTest {
    static final String TAG = "localhost/kiln/test:1";

    @TempDir
    Path tmp;

    /** Entry name → bytes, in archive order; every header checked for the fixed owner, mtime and modes. */
    static Map<String, byte[]> entries(Path tar) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                assertEquals(0, e.getModTime().getTime(), e.getName());
                assertEquals(0, e.getLongUserId(), e.getName());
                assertEquals(0, e.getLongGroupId(), e.getName());
                assertEquals("", e.getUserName(), e.getName());
                assertEquals(e.isDirectory() ? 0755 : 0644, e.getMode() & 07777, e.getName());
                out.put(e.getName(), t.readAllBytes());
            }
        }
        return out;
    }

    static JsonNode json(byte[] bytes) throws IOException {
        return new ObjectMapper().readTree(bytes);
    }

    @Test
    void anArchiveHoldsManifestJsonTheOciFilesAndTheBlobsItNames() throws IOException {
        Path layout = tmp.resolve("image");
        Descriptor image = TestImages.single(layout, 100);
        Path tar = tmp.resolve("image.tar");
        DockerArchive.write(layout, tar, TAG, Optional.empty(), "amd64");
        Map<String, byte[]> entries = entries(tar);
        Manifest m = LayoutReader.open(layout).manifest(image);
        List<String> blobs = new ArrayList<>();
        for (Digest d : List.of(image.digest(), m.config().digest(), m.layers().get(0).digest(), m.layers().get(1).digest())) {
            blobs.add("blobs/sha256/" + d.hex());
        }
        List<String> expected = new ArrayList<>(List.of("blobs/", "blobs/sha256/"));
        expected.addAll(blobs.stream().sorted().toList());
        expected.addAll(List.of("index.json", "manifest.json", "oci-layout"));
        assertEquals(expected, new ArrayList<>(entries.keySet()), "path order, nothing else");
        for (String b : blobs) {
            assertEquals(b.substring(b.lastIndexOf('/') + 1), Digest.of(entries.get(b)).hex(), b);
        }
        JsonNode manifest = json(entries.get("manifest.json"));
        assertEquals(1, manifest.size());
        assertEquals("blobs/sha256/" + m.config().digest().hex(), manifest.get(0).get("Config").asText());
        assertEquals(TAG, manifest.get(0).get("RepoTags").get(0).asText());
        assertEquals(blobs.get(2), manifest.get(0).get("Layers").get(0).asText());
        assertEquals(blobs.get(3), manifest.get(0).get("Layers").get(1).asText());
        JsonNode index = json(entries.get("index.json")).get("manifests").get(0);
        assertEquals(image.digest().toString(), index.get("digest").asText());
        assertEquals(TAG, index.get("annotations").get("io.containerd.image.name").asText());
        assertEquals("1", index.get("annotations").get(ImageLayout.REF_NAME).asText());
        assertArrayEquals(OciJson.LAYOUT_MARKER, entries.get("oci-layout"));
    }

    @Test
    void writingTwiceGivesTheSameBytesAndReplacesTheFileWhole() throws IOException {
        Path layout = tmp.resolve("image");
        TestImages.twoArch(layout, 100);
        Path a = tmp.resolve("a.tar");
        Path b = tmp.resolve("b.tar");
        DockerArchive.write(layout, a, TAG, Optional.of("arm64"), "amd64");
        Files.writeString(b, "an older file");
        DockerArchive.write(layout, b, TAG, Optional.of("arm64"), "amd64");
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of("a.tar", "b.tar", "image"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no staging file left");
        }
    }

    @Test
    void ofAnIndexTheRequestedOrTheHostArchitectureIsTaken() {
        Path layout = tmp.resolve("image");
        TestImages.twoArch(layout, 100);
        LayoutReader r = LayoutReader.open(layout);
        assertEquals("linux/arm64/v8", DockerArchive.choose(r, Optional.of("arm64"), "amd64").platform().orElseThrow().toString());
        assertEquals("linux/arm64/v8", DockerArchive.choose(r, Optional.of("aarch64"), "amd64").platform().orElseThrow().toString());
        assertEquals("linux/amd64", DockerArchive.choose(r, Optional.of("x86_64"), "arm64").platform().orElseThrow().toString());
        assertEquals("linux/arm64/v8", DockerArchive.choose(r, Optional.empty(), "arm64").platform().orElseThrow().toString());
        assertEquals("linux/amd64", DockerArchive.choose(r, Optional.empty(), "amd64").platform().orElseThrow().toString());
    }

    @Test
    void anIndexWithoutTheHostArchitectureIsRefusedWithTheChoices() {
        Path layout = tmp.resolve("image");
        TestImages.twoArch(layout, 100);
        OciException e = assertThrows(OciException.class,
                () -> DockerArchive.choose(LayoutReader.open(layout), Optional.empty(), "riscv64"));
        assertTrue(e.getMessage().contains("a docker archive holds one platform"), e.getMessage());
        assertTrue(e.getMessage().contains("linux/amd64, linux/arm64/v8 but not this host's architecture (riscv64)"), e.getMessage());
        assertTrue(e.getMessage().contains("fix: choose one of them for the archive, e.g. amd64"), e.getMessage());
        assertEquals("oci.platform", e.code());
        OciException asked = assertThrows(OciException.class,
                () -> DockerArchive.write(layout, tmp.resolve("x.tar"), TAG, Optional.of("s390x"), "amd64"));
        assertTrue(asked.getMessage().contains("but not the architecture s390x"), asked.getMessage());
        assertTrue(!Files.exists(tmp.resolve("x.tar")));
    }

    @Test
    void theSpecsArchitecturesAreCheckedAsTheLayoutsWouldBe() {
        // what choose() will say after the build, said before it from the spec's archs
        DockerArchive.checkArchitecture(List.of("amd64", "arm64"), Optional.of("aarch64"), "riscv64");
        DockerArchive.checkArchitecture(List.of("amd64", "arm64"), Optional.empty(), "arm64");
        DockerArchive.checkArchitecture(List.of("s390x"), Optional.empty(), "amd64"); // the one image, whatever the host
        OciException host = assertThrows(OciException.class,
                () -> DockerArchive.checkArchitecture(List.of("amd64", "arm64"), Optional.empty(), "riscv64"));
        assertTrue(host.getMessage().contains("the spec builds linux/amd64, linux/arm64/v8 but not this host's architecture (riscv64)")
                && host.getMessage().contains("fix: choose one of them for the archive, e.g. amd64"), host.getMessage());
        OciException asked = assertThrows(OciException.class,
                () -> DockerArchive.checkArchitecture(List.of("amd64"), Optional.of("s390x"), "amd64"));
        assertTrue(asked.getMessage().contains("but not the architecture s390x"), asked.getMessage());
    }

    @Test
    void aSingleImageOfAnotherArchitectureIsWrittenWhenNoneIsAsked() {
        Path layout = tmp.resolve("image");
        TestImages.single(layout, 100);
        assertEquals("linux/amd64", DockerArchive.choose(LayoutReader.open(layout), Optional.empty(), "riscv64")
                .platform().orElseThrow().toString());
    }

    @Test
    void aDirectoryIsRefusedAsTarget() throws IOException {
        Path layout = tmp.resolve("image");
        TestImages.single(layout, 100);
        Path dir = Files.createDirectory(tmp.resolve("out"));
        OciException e = assertThrows(OciException.class, () -> DockerArchive.write(layout, dir, TAG, Optional.empty(), "amd64"));
        assertTrue(e.getMessage().contains("expected a file name, found a directory"), e.getMessage());
    }

    @Test
    void skopeoReadsTheArchiveAndCopiesItToALayoutWithOurConfig() throws Exception {
        assumeTrue(Tools.onPath("skopeo"), "skopeo is not installed");
        Path layout = tmp.resolve("image");
        TestImages.twoArch(layout, 100);
        Path tar = tmp.resolve("image.tar");
        Descriptor written = DockerArchive.write(layout, tar, TAG, Optional.of("arm64"), "amd64");
        JsonNode inspect = json(Tools.ok(tmp, "skopeo", "inspect", "docker-archive:" + tar).out().getBytes());
        assertEquals("arm64", inspect.get("Architecture").asText(), inspect.toString());
        assertEquals("/usr/bin:/bin", inspect.get("Env").get(0).asText().substring("PATH=".length()));
        assertEquals(2, inspect.get("Layers").size());
        LayoutReader ours = LayoutReader.open(layout);
        Manifest original = ours.manifest(written);
        String config = Tools.ok(tmp, "skopeo", "inspect", "--config", "--raw", "docker-archive:" + tar).out();
        assertEquals(original.config().digest(), Digest.of(config), "the config, so the image ID, travels byte for byte");
        // skopeo names each layer by its uncompressed digest: it decompressed ours and found the config's diff_ids
        JsonNode raw = json(Tools.ok(tmp, "skopeo", "inspect", "--raw", "docker-archive:" + tar).out().getBytes());
        JsonNode diffIds = json(config.getBytes()).get("rootfs").get("diff_ids");
        for (int i = 0; i < 2; i++) {
            assertEquals(diffIds.get(i).asText(), raw.get("layers").get(i).get("digest").asText());
        }
        Path copied = tmp.resolve("copied");
        Tools.ok(tmp, "skopeo", "copy", "--quiet", "docker-archive:" + tar, "oci:" + copied + ":x");
        LayoutReader theirs = LayoutReader.open(copied);
        JsonNode loaded = json(theirs.bytes(theirs.manifest(theirs.top()).config()));
        assertEquals("arm64", loaded.get("architecture").asText());
        assertEquals(diffIds, loaded.get("rootfs").get("diff_ids"));
    }
}
