package dev.kiln.assembler.image;

import static dev.kiln.oci.testing.Tools.ok;
import static dev.kiln.oci.testing.Tools.onPath;
import static dev.kiln.oci.testing.Tools.run;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.OciException;
import dev.kiln.assembler.layer.TarLayerWriter;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.ImageConfigFile;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.Index;
import dev.kiln.oci.LayerDigests;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.Platform;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageLayoutTest {
    static final long EPOCH = 1_700_000_000L;
    static final ImageSpec SPEC = SpecConfigTest.FULL;

    @TempDir
    Path tmp;

    /** Real mtimes, an odd directory mode, a non-root owner, a relative symlink. */
    static FileTree tree(String arch) {
        return FileTree.builder("fixture")
                .add(Entry.dir("/", 0755, 0, 0, 1_699_999_999L))
                .add(Entry.dir("/etc", 0755, 0, 0, 1_712_345_678L))
                .add(Entry.symlink("/etc/greeting", "hello.txt", 0777, 0, 0, 1_712_345_600L))
                .add(Entry.file("/etc/group", 0644, 0, 0, 1_694_201_234L,
                        Content.of("root:x:0:\nnonroot:x:65532:\n".getBytes(UTF_8))))
                .add(Entry.file("/etc/passwd", 0644, 0, 0, 1_694_201_234L, Content.of(
                        "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n"
                                .getBytes(UTF_8))))
                .add(Entry.file("/etc/hello.txt", 0644, 0, 0, 1_694_201_234L,
                        Content.of(("hello from " + arch + "\n").getBytes(UTF_8))))
                .add(Entry.dir("/srv", 0755, 0, 0, 1_600_000_000L))
                .add(Entry.dir("/srv/private", 0710, 65532, 65532, 1_734_567_890L))
                .add(Entry.file("/srv/private/secret", 0600, 65532, 65532, 1_734_567_891L,
                        Content.of("s3cret\n".getBytes(UTF_8))))
                .add(Entry.file("/usr/bin/tool", 0755, 0, 0, 1_680_000_001L, Content.of("#!/bin/false\n".getBytes(UTF_8))))
                .build();
    }

    /** Shared by every architecture: written once. */
    static FileTree shared() {
        return FileTree.builder("shared")
                .add(Entry.dir("/", 0755, 0, 0, 0))
                .add(Entry.dir("/usr", 0755, 0, 0, 0))
                .add(Entry.dir("/usr/share", 0755, 0, 0, 0))
                .add(Entry.file("/usr/share/common.txt", 0644, 0, 0, 1_650_000_000L, Content.of("same\n".getBytes(UTF_8))))
                .build();
    }

    static Path writeSingle(Path dir) {
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            LayerDigests layer = layout.writeLayer(out -> new TarLayerWriter(EPOCH).writeGzip(tree("amd64"), out));
            ImageConfigFile config = SpecConfig.configFile(SPEC, "amd64", List.of(layer.uncompressed()), EPOCH);
            Descriptor image = layout.writeImage(config, List.of(layer), SpecConfig.annotations(SPEC));
            return layout.commit(image, "latest");
        }
    }

    static Path writeTwoArch(Path dir) {
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            TarLayerWriter writer = new TarLayerWriter(EPOCH);
            List<Descriptor> images = new ArrayList<>();
            for (String arch : List.of("amd64", "arm64")) {
                LayerDigests base = layout.writeLayer(out -> writer.writeGzip(shared(), out));
                LayerDigests own = layout.writeLayer(out -> writer.writeGzip(tree(arch), out));
                ImageConfigFile config = SpecConfig.configFile(SPEC, arch,
                        List.of(base.uncompressed(), own.uncompressed()), EPOCH);
                images.add(layout.writeImage(config, List.of(base, own), SpecConfig.annotations(SPEC)));
            }
            Descriptor index = layout.writeIndex(new Index(images, SpecConfig.annotations(SPEC)));
            return layout.commit(index, "latest");
        }
    }

    static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                String key = dir.relativize(p) + " " + mode;
                files.put(key, Files.isRegularFile(p) ? Files.readAllBytes(p) : new byte[0]);
            }
        }
        return files;
    }

    static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(Files.readAllBytes(file));
    }

    static byte[] blob(Path dir, String digest) throws IOException {
        return Files.readAllBytes(dir.resolve("blobs/sha256").resolve(Digest.parse(digest).hex()));
    }

    @Test
    void aSingleImageLayoutHasMarkerIndexAndEveryBlobUnderItsDigest() throws IOException {
        Path dir = writeSingle(tmp.resolve("image"));
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(dir.resolve("oci-layout")));
        JsonNode index = json(dir.resolve("index.json"));
        assertEquals(2, index.get("manifests").size(), "latest and latest-amd64");
        JsonNode top = index.get("manifests").get(0);
        assertEquals(top.get("digest"), index.get("manifests").get(1).get("digest"));
        assertEquals("latest-amd64", index.get("manifests").get(1).get("annotations").get(ImageLayout.REF_NAME).asText());
        assertEquals(MediaTypes.MANIFEST, top.get("mediaType").asText());
        assertEquals("latest", top.get("annotations").get(ImageLayout.REF_NAME).asText());
        assertEquals("amd64", top.get("platform").get("architecture").asText());
        byte[] manifest = blob(dir, top.get("digest").asText());
        assertEquals(top.get("size").asLong(), manifest.length);
        JsonNode m = new ObjectMapper().readTree(manifest);
        assertEquals(MediaTypes.CONFIG, m.get("config").get("mediaType").asText());
        assertEquals("base", m.get("annotations").get("org.opencontainers.image.title").asText());
        JsonNode config = new ObjectMapper().readTree(blob(dir, m.get("config").get("digest").asText()));
        assertEquals("nonroot", config.get("config").get("User").asText());
        try (Stream<Path> blobs = Files.list(dir.resolve("blobs/sha256"))) {
            for (Path b : blobs.toList()) {
                assertEquals(b.getFileName().toString(), Digest.of(Files.readAllBytes(b)).hex(), "blob named by its digest");
            }
        }
        try (Stream<Path> blobs = Files.list(dir.resolve("blobs/sha256"))) {
            assertEquals(3, blobs.count(), "layer, config, manifest and nothing else");
        }
    }

    @Test
    void filesAre0644AndDirectories0755WhateverTheUmask() throws IOException {
        Path dir = writeSingle(tmp.resolve("image"));
        for (String key : files(dir).keySet()) {
            String path = key.substring(0, key.lastIndexOf(' '));
            String mode = key.substring(key.lastIndexOf(' ') + 1);
            assertEquals(Files.isDirectory(dir.resolve(path)) ? "rwxr-xr-x" : "rw-r--r--", mode, key);
        }
    }

    @Test
    void writingTheSameLayoutTwiceGivesTheSameFiles() throws IOException {
        Map<String, byte[]> a = files(writeSingle(tmp.resolve("a")));
        Map<String, byte[]> b = files(writeSingle(tmp.resolve("b")));
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
        Map<String, byte[]> c = files(writeTwoArch(tmp.resolve("c")));
        Map<String, byte[]> d = files(writeTwoArch(tmp.resolve("d")));
        assertEquals(c.keySet(), d.keySet());
        c.forEach((k, v) -> assertArrayEquals(v, d.get(k), k));
    }

    @Test
    void anEarlierLayoutIsReplacedWholeAndNothingIsLeftBeside() throws IOException {
        Path dir = writeTwoArch(tmp.resolve("image"));
        writeSingle(dir);
        assertEquals(files(writeSingle(tmp.resolve("fresh"))).keySet(), files(dir).keySet());
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(List.of("fresh", "image"), siblings.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void anEmptyDirectoryIsAcceptedAsTarget() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("empty"));
        writeSingle(dir);
        assertTrue(Files.isRegularFile(dir.resolve("oci-layout")));
    }

    @Test
    void aNonEmptyDirectoryThatIsNoLayoutIsRefusedAndKept() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("home"));
        Files.writeString(dir.resolve("notes.txt"), "precious");
        OciException e = assertThrows(OciException.class, () -> writeSingle(dir));
        assertTrue(e.getMessage().contains("refusing to overwrite " + dir), e.getMessage());
        assertTrue(e.getMessage().contains("without an oci-layout file"), e.getMessage());
        assertEquals("precious", Files.readString(dir.resolve("notes.txt")));
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(1, siblings.count(), "no staging directory left behind");
        }
    }

    @Test
    void checkTargetRefusesADirectoryAboveThatIsAFileNamingIt() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        for (Path out : List.of(file.resolve("out"), file.resolve("a/b/out"))) {
            OciException e = assertThrows(OciException.class, () -> ImageLayout.checkTarget(out));
            assertEquals("cannot write an image layout at " + out + ": " + file + " is not a directory"
                    + "\n  fix: name a directory this user can write", e.getMessage());
            assertEquals("oci.target-refused", e.code());
        }
        assertEquals("x", Files.readString(file));
    }

    @Test
    void checkTargetAcceptsMissingDirectoriesAndLeavesNothingBehind() throws IOException {
        ImageLayout.checkTarget(tmp.resolve("new/deeper/out"));
        ImageLayout.checkTarget(tmp.resolve("out"));
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(0, siblings.count(), "the probe made and removed its mark, and no directory");
        }
    }

    @Test
    void aSymbolicLinkIsRefusedAsTargetAndNamedAsOne() throws IOException {
        Path real = writeSingle(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        OciException e = assertThrows(OciException.class, () -> ImageLayout.checkTarget(link));
        assertTrue(e.getMessage().contains("found a symbolic link"), e.getMessage());
    }

    @Test
    void aFileIsRefusedAsTarget() throws IOException {
        Path file = Files.writeString(tmp.resolve("image"), "x");
        assertThrows(OciException.class, () -> writeSingle(file));
        assertEquals("x", Files.readString(file));
    }

    @Test
    void aPreparedLayoutIsReadableWhereItIsStagedAndOnlyPublishPutsItInPlace() throws IOException {
        Path target = tmp.resolve("prepared");
        Path published = writeSingle(tmp.resolve("committed")); // the same image through commit()
        Descriptor top;
        try (ImageLayout layout = ImageLayout.stage(target)) {
            assertThrows(IllegalStateException.class, layout::publish, "publish before prepare");
            LayerDigests layer = layout.writeLayer(out -> new TarLayerWriter(EPOCH).writeGzip(tree("amd64"), out));
            ImageConfigFile config = SpecConfig.configFile(SPEC, "amd64", List.of(layer.uncompressed()), EPOCH);
            top = layout.writeImage(config, List.of(layer), SpecConfig.annotations(SPEC));
            Path staged = layout.prepare(top, "latest");
            assertFalse(Files.exists(target), "nothing is in place before publish");
            assertEquals(top.digest(), LayoutReader.open(staged).top().digest(), "the staged layout is complete");
            assertEquals(target, layout.publish());
        }
        Map<String, byte[]> viaCommit = files(published);
        Map<String, byte[]> viaPublish = files(target);
        assertEquals(viaCommit.keySet(), viaPublish.keySet(), "prepare and publish give what commit gives");
        viaCommit.forEach((k, v) -> assertArrayEquals(v, viaPublish.get(k), k));
        try (ImageLayout layout = ImageLayout.stage(tmp.resolve("abandoned"))) {
            LayerDigests layer = layout.writeLayer(out -> new TarLayerWriter(EPOCH).writeGzip(tree("amd64"), out));
            ImageConfigFile config = SpecConfig.configFile(SPEC, "amd64", List.of(layer.uncompressed()), EPOCH);
            layout.prepare(layout.writeImage(config, List.of(layer), SpecConfig.annotations(SPEC)), "latest");
        }
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(List.of("committed", "prepared"), siblings.map(p -> p.getFileName().toString()).sorted().toList(),
                    "a prepared layout never published leaves nothing behind");
        }
    }

    @Test
    void anUncommittedLayoutLeavesNothingBehind() throws IOException {
        try (ImageLayout layout = ImageLayout.stage(tmp.resolve("image"))) {
            layout.writeLayer(out -> new TarLayerWriter(EPOCH).writeGzip(tree("amd64"), out));
        }
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(0, siblings.count());
        }
    }

    @Test
    void sharedLayersAreStoredOnceInATwoArchLayout() throws IOException {
        Path dir = writeTwoArch(tmp.resolve("image"));
        JsonNode top = json(dir.resolve("index.json")).get("manifests").get(0);
        assertEquals(MediaTypes.INDEX, top.get("mediaType").asText());
        JsonNode index = new ObjectMapper().readTree(blob(dir, top.get("digest").asText()));
        assertEquals(2, index.get("manifests").size());
        assertEquals("v8", index.get("manifests").get(1).get("platform").get("variant").asText());
        try (Stream<Path> blobs = Files.list(dir.resolve("blobs/sha256"))) {
            // shared layer once, two own layers, two configs, two manifests, one index
            assertEquals(8, blobs.count());
        }
    }

    @Test
    void indexJsonNamesTheIndexLatestAndEachArchitecturesManifestLatestArch() throws IOException {
        Path dir = writeTwoArch(tmp.resolve("image"));
        JsonNode refs = json(dir.resolve("index.json")).get("manifests");
        assertEquals(3, refs.size());
        assertEquals("latest", refs.get(0).get("annotations").get(ImageLayout.REF_NAME).asText());
        assertEquals(MediaTypes.INDEX, refs.get(0).get("mediaType").asText());
        JsonNode nested = new ObjectMapper().readTree(blob(dir, refs.get(0).get("digest").asText())).get("manifests");
        for (int i = 0; i < 2; i++) {
            JsonNode ref = refs.get(i + 1);
            assertEquals("latest-" + List.of("amd64", "arm64").get(i), ref.get("annotations").get(ImageLayout.REF_NAME).asText());
            assertEquals(MediaTypes.MANIFEST, ref.get("mediaType").asText());
            assertEquals(nested.get(i).get("digest"), ref.get("digest"), "the same manifest the index holds");
            assertEquals(nested.get(i).get("platform"), ref.get("platform"));
        }
    }

    @Test
    void aPlatformMapsBackToItsDebianArchitecture() {
        for (String arch : List.of("amd64", "arm64", "armhf", "armel", "i386", "ppc64el", "s390x", "riscv64", "mips64el")) {
            assertEquals(arch, Platform.ofDebian(arch).debianArchitecture());
        }
    }

    @Test
    void configDiffIdsMustMatchTheLayers() {
        try (ImageLayout layout = ImageLayout.stage(tmp.resolve("image"))) {
            LayerDigests layer = layout.writeLayer(out -> new TarLayerWriter(EPOCH).writeGzip(tree("amd64"), out));
            ImageConfigFile wrong = SpecConfig.configFile(SPEC, "amd64", List.of(layer.compressed()), EPOCH);
            assertThrows(OciException.class, () -> layout.writeImage(wrong, List.of(layer), Map.of()));
        }
    }

    // ---- peers: skopeo and umoci read what kiln writes ----

    @Test
    void skopeoReadsOurManifestBytesExactlyAndTheConfig() throws Exception {
        assumeTrue(onPath("skopeo"), "skopeo is not installed");
        Path dir = writeSingle(tmp.resolve("image"));
        JsonNode top = json(dir.resolve("index.json")).get("manifests").get(0);
        byte[] manifest = blob(dir, top.get("digest").asText());
        assertEquals(new String(manifest, UTF_8), ok(tmp, "skopeo", "inspect", "--raw", "oci:" + dir + ":latest").out());
        JsonNode inspect = new ObjectMapper().readTree(ok(tmp, "skopeo", "inspect", "oci:" + dir + ":latest").out());
        assertEquals(top.get("digest").asText(), inspect.get("Digest").asText());
        assertEquals("amd64", inspect.get("Architecture").asText());
        assertEquals("linux", inspect.get("Os").asText());
        assertEquals("2023-11-14T22:13:20Z", inspect.get("Created").asText());
        assertEquals(1, inspect.get("Layers").size());
        assertEquals("PATH=" + SpecConfig.DEFAULT_PATH, inspect.get("Env").get(0).asText());
        JsonNode config = new ObjectMapper().readTree(
                ok(tmp, "skopeo", "inspect", "--config", "--raw", "oci:" + dir + ":latest").out());
        assertEquals("/usr/bin/openssl", config.get("config").get("Entrypoint").get(0).asText());
    }

    @Test
    void skopeoReadsTheTwoArchIndexAndPicksEachPlatform() throws Exception {
        assumeTrue(onPath("skopeo"), "skopeo is not installed");
        Path dir = writeTwoArch(tmp.resolve("image"));
        JsonNode top = json(dir.resolve("index.json")).get("manifests").get(0);
        byte[] index = blob(dir, top.get("digest").asText());
        assertEquals(new String(index, UTF_8), ok(tmp, "skopeo", "inspect", "--raw", "oci:" + dir + ":latest").out());
        JsonNode parsed = new ObjectMapper().readTree(index);
        for (int i = 0; i < 2; i++) {
            String arch = List.of("amd64", "arm64").get(i);
            JsonNode inspect = new ObjectMapper().readTree(ok(tmp, "skopeo", "--override-os", "linux",
                    "--override-arch", arch, "inspect", "oci:" + dir + ":latest").out());
            assertEquals(arch, inspect.get("Architecture").asText());
            // skopeo names the image by the digest of what the reference points at: the index
            assertEquals(top.get("digest").asText(), inspect.get("Digest").asText());
            JsonNode manifest = new ObjectMapper().readTree(blob(dir, parsed.get("manifests").get(i).get("digest").asText()));
            assertEquals(manifest.get("layers").get(1).get("digest").asText(), inspect.get("Layers").get(1).asText());
        }
    }

    @Test
    void umociUnpacksTheRootfsWithModesAndSymlink() throws Exception {
        assumeTrue(onPath("umoci"), "umoci is not installed");
        Path dir = writeSingle(tmp.resolve("image"));
        Path bundle = tmp.resolve("bundle");
        ok(tmp, "umoci", "unpack", "--rootless", "--image", dir + ":latest", bundle.toString());
        Path rootfs = bundle.resolve("rootfs");
        assertEquals("hello from amd64\n", Files.readString(rootfs.resolve("etc/hello.txt")));
        assertEquals("rw-r--r--", mode(rootfs.resolve("etc/hello.txt")));
        assertEquals(Path.of("hello.txt"), Files.readSymbolicLink(rootfs.resolve("etc/greeting")));
        assertEquals("rwx--x---", mode(rootfs.resolve("srv/private")));
        assertEquals("rw-------", mode(rootfs.resolve("srv/private/secret")));
        assertEquals("rwxr-xr-x", mode(rootfs.resolve("usr/bin/tool")));
        JsonNode runtime = json(bundle.resolve("config.json"));
        assertEquals("/home/nonroot", runtime.get("process").get("cwd").asText());
        assertEquals("/usr/bin/openssl", runtime.get("process").get("args").get(0).asText());
    }

    @Test
    void umociUnpacksEachArchitectureOfATwoArchLayoutByItsRef() throws Exception {
        assumeTrue(onPath("umoci"), "umoci is not installed");
        Path dir = writeTwoArch(tmp.resolve("image"));
        for (String arch : List.of("amd64", "arm64")) {
            Path bundle = tmp.resolve("bundle-" + arch);
            ok(tmp, "umoci", "unpack", "--rootless", "--image", dir + ":latest-" + arch, bundle.toString());
            assertEquals("hello from " + arch + "\n", Files.readString(bundle.resolve("rootfs/etc/hello.txt")));
            assertEquals("same\n", Files.readString(bundle.resolve("rootfs/usr/share/common.txt")));
        }
    }

    @Test
    void skopeoReadsEachArchitecturesRefOfATwoArchLayout() throws Exception {
        assumeTrue(onPath("skopeo"), "skopeo is not installed");
        Path dir = writeTwoArch(tmp.resolve("image"));
        JsonNode inspect = new ObjectMapper().readTree(ok(tmp, "skopeo", "inspect", "oci:" + dir + ":latest-arm64").out());
        assertEquals("arm64", inspect.get("Architecture").asText());
        assertEquals(json(dir.resolve("index.json")).get("manifests").get(2).get("digest").asText(), inspect.get("Digest").asText());
    }

    @Test
    void skopeoCopiesTheLayoutToADockerArchive() throws Exception {
        assumeTrue(onPath("skopeo"), "skopeo is not installed");
        Path dir = writeSingle(tmp.resolve("image"));
        Path tar = tmp.resolve("image.tar");
        ok(tmp, "skopeo", "copy", "oci:" + dir + ":latest", "docker-archive:" + tar + ":kiln/test:latest");
        JsonNode inspect = new ObjectMapper().readTree(ok(tmp, "skopeo", "inspect", "docker-archive:" + tar).out());
        assertEquals("amd64", inspect.get("Architecture").asText(), inspect.toString());
        assertEquals("PATH=" + SpecConfig.DEFAULT_PATH, inspect.get("Env").get(0).asText(), inspect.toString());
        assertFalse(inspect.get("Layers").isEmpty());
        assumeTrue(onPath("tar"), "tar is not installed");
        JsonNode manifest = new ObjectMapper().readTree(ok(tmp, "tar", "-xOf", tar.toString(), "manifest.json").out());
        assertEquals("docker.io/kiln/test:latest", manifest.get(0).get("RepoTags").get(0).asText(), manifest.toString());
        // the config travels byte for byte, so the docker image ID is our config digest
        JsonNode top = json(dir.resolve("index.json")).get("manifests").get(0);
        JsonNode ours = new ObjectMapper().readTree(blob(dir, top.get("digest").asText()));
        assertEquals(Digest.parse(ours.get("config").get("digest").asText()).hex() + ".json",
                manifest.get(0).get("Config").asText());
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }
}
