package dev.kiln.assembler.image;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.layer.GzipWriter;
import dev.kiln.assembler.layer.TarLayerWriter;
import dev.kiln.assembler.tree.ByteString;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.ImageConfig;
import dev.kiln.oci.ImageConfigFile;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.Index;
import dev.kiln.oci.LayerDigests;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.Platform;
import dev.kiln.oci.compare.Difference;
import dev.kiln.oci.compare.Difference.Aspect;
import dev.kiln.oci.compare.ImageDiff;
import dev.kiln.store.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDiffTest {
    static final long EPOCH = 1_700_000_000L;

    @TempDir
    Path tmp;

    /** Real mtimes, odd modes, a non-root owner, links, an xattr, a long name. */
    static List<Entry> entries(String arch) {
        return List.of(
                Entry.dir("/", 0755, 0, 0, 1_699_999_999L),
                Entry.dir("/etc", 0755, 0, 0, 1_612_345_678L),
                Entry.file("/etc/hello.txt", 0644, 0, 0, 1_694_201_234L, Content.of(("hello from " + arch + "\n").getBytes(UTF_8))),
                Entry.symlink("/etc/greeting", "hello.txt", 0777, 0, 0, 1_612_345_600L),
                Entry.file("/etc/passwd", 0644, 0, 0, 1_694_201_234L, Content.of("root:x:0:0:root:/root:/sbin/nologin\n".getBytes(UTF_8))),
                Entry.dir("/srv/private", 0710, 65532, 65532, 1_634_567_890L),
                Entry.file("/srv/private/secret", 0600, 65532, 65532, 1_634_567_891L, Content.of("s3cret\n".getBytes(UTF_8))),
                Entry.file("/usr/bin/ping", 0755, 0, 0, 1_680_000_001L, Content.of("\u007fELF...".getBytes(UTF_8)))
                        .withXattrs(Map.of("security.capability", ByteString.of(new byte[] {1, 0, 0, 2, 0, 32, 0, 0}))),
                Entry.hardlink("/usr/bin/ping4", "/usr/bin/ping", 0755, 0, 0, 1_680_000_001L),
                Entry.file("/usr/share/doc/a-package-with-a-rather-long-name/and-a-long-file-name-that-does-not-fit-ustar-name.txt",
                        0644, 0, 0, 1_600_000_000L, Content.of("x\n".getBytes(UTF_8))));
    }

    static FileTree tree(List<Entry> entries) {
        FileTree.Builder b = FileTree.builder("fixture");
        entries.forEach(b::add);
        return b.build();
    }

    static List<Entry> replace(List<Entry> entries, String path, UnaryOperator<Entry> change) {
        List<Entry> out = new ArrayList<>();
        boolean found = false;
        for (Entry e : entries) {
            if (e.path().equals(path)) {
                out.add(change.apply(e));
                found = true;
            } else {
                out.add(e);
            }
        }
        assertTrue(found, path);
        return out;
    }

    static ImageConfigFile config(String arch, Digest diffId, String user) {
        ImageConfig c = new ImageConfig(Optional.of(user), List.of("PATH=/usr/bin:/bin"), List.of("/usr/bin/ping"), List.of(),
                Optional.of("/"), Map.of(), Optional.empty(), Set.of(), Set.of());
        return new ImageConfigFile(Platform.ofDebian(arch), Optional.of(Instant.ofEpochSecond(EPOCH)), c, List.of(diffId), List.of());
    }

    /** One image per arch (an index when several), each a layer of {@code trees}' tree and a config with {@code user}. */
    Path layout(String name, Map<String, List<Entry>> trees, String user) {
        try (ImageLayout layout = ImageLayout.stage(tmp.resolve(name))) {
            List<Descriptor> images = new ArrayList<>();
            for (Map.Entry<String, List<Entry>> t : new java.util.TreeMap<>(trees).entrySet()) {
                LayerDigests layer = layout.writeLayer(out -> new TarLayerWriter(EPOCH).writeGzip(tree(t.getValue()), out));
                images.add(layout.writeImage(config(t.getKey(), layer.uncompressed(), user), List.of(layer), Map.of()));
            }
            Descriptor top = images.size() == 1 ? images.get(0) : layout.writeIndex(new Index(images, Map.of()));
            return layout.commit(top, "latest");
        }
    }

    Path single(String name, List<Entry> entries) {
        return layout(name, Map.of("amd64", entries), "nonroot");
    }

    /** A single image whose one layer is exactly {@code gz} (the gzip of {@code tar}). */
    Path raw(String name, byte[] tar, byte[] gz) {
        try (ImageLayout layout = ImageLayout.stage(tmp.resolve(name))) {
            layout.writeBlob(MediaTypes.LAYER_TAR_GZIP, gz);
            LayerDigests layer = new LayerDigests(Digest.of(gz), gz.length, Digest.of(tar), tar.length);
            Descriptor image = layout.writeImage(config("amd64", layer.uncompressed(), "nonroot"), List.of(layer), Map.of());
            return layout.commit(image, "latest");
        }
    }

    static byte[] tar(List<Entry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TarLayerWriter(EPOCH).writeTar(tree(entries), out);
        return out.toByteArray();
    }

    static byte[] kilnGzip(byte[] tar) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GzipWriter gz = new GzipWriter(out);
        gz.write(tar);
        gz.finish();
        return out.toByteArray();
    }

    static Path layerBlob(Path layout) throws IOException {
        try (var s = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path p : s.toList()) {
                if (Files.size(p) > 2 && (Files.readAllBytes(p)[0] & 0xff) == 0x1f) {
                    return p;
                }
            }
        }
        throw new AssertionError("no gzip blob in " + layout);
    }

    /** A byte-for-byte copy of a layout, to break by hand. */
    Path copyOf(Path layout) throws IOException {
        Path b = tmp.resolve(layout.getFileName() + "-copy");
        copy(layout, b);
        return b;
    }

    static void copy(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    /** The only difference of {@code aspect}, asserting there is exactly one. */
    static Difference only(ImageDiff diff, Aspect aspect) {
        List<Difference> ds = diff.of(aspect);
        assertEquals(1, ds.size(), diff.render());
        return ds.get(0);
    }

    // ---- identical

    @Test
    void twoLayoutsOfTheSameImagesAreIdentical() {
        Map<String, List<Entry>> trees = Map.of("amd64", entries("amd64"), "arm64", entries("arm64"));
        ImageDiff diff = ImageDiff.between(layout("a", trees, "nonroot"), layout("b", trees, "nonroot"));
        assertTrue(diff.identical(), diff.render());
        assertTrue(diff.render().contains("identical"), diff.render());
    }

    // ---- one tar entry differs in one aspect

    @Test
    void aFilesContentNamesThePathBothSizesAndDigestsAndTheLayerBlobs() {
        Path a = single("a", entries("amd64"));
        Path b = single("b", replace(entries("amd64"), "/etc/passwd",
                e -> Entry.file(e.path(), e.mode(), e.uid(), e.gid(), e.mtime(), Content.of("root:x:0:0::/root:/bin/sh\n".getBytes(UTF_8)))));
        ImageDiff diff = ImageDiff.between(a, b);
        Difference d = only(diff, Aspect.CONTENT);
        assertEquals("etc/passwd", d.subject());
        assertTrue(d.left().startsWith("36 bytes sha256:"), d.left());
        assertTrue(d.right().startsWith("26 bytes sha256:"), d.right());
        assertTrue(d.where().startsWith("layer linux/amd64 layers[0] (sha256:"), d.where());
        assertTrue(d.where().contains(" vs sha256:"), "both layer digests are named: " + d.where());
        // the manifest names the new layer, the config the new diff_id: both say which field
        List<String> fields = diff.of(Aspect.FIELD).stream().map(Difference::subject).toList();
        assertTrue(fields.containsAll(List.of("layers[0].digest", "rootfs.diff_ids[0]", "config.digest")), fields.toString());
        String report = diff.render();
        assertTrue(report.contains("etc/passwd: content 36 bytes sha256:"), report);
    }

    /** The one difference between the fixture and the fixture with {@code path} changed, asserting it is of {@code aspect}. */
    Difference change(String path, UnaryOperator<Entry> change, Aspect aspect) {
        ImageDiff diff = ImageDiff.between(single("a", entries("amd64")), single("b", replace(entries("amd64"), path, change)));
        assertEquals(1, diff.differences().stream().filter(x -> x.where().startsWith("layer")).count(), diff.render());
        return only(diff, aspect);
    }

    @Test
    void aMode() {
        Difference d = change("/srv/private/secret", e -> e.withMode(0640), Aspect.MODE);
        assertEquals("srv/private/secret", d.subject());
        assertEquals("0600", d.left());
        assertEquals("0640", d.right());
    }

    @Test
    void anOwner() {
        Difference d = change("/srv/private", e -> e.withOwner(0, 65532), Aspect.OWNER);
        assertEquals("srv/private/", d.subject());
        assertEquals("65532:65532", d.left());
        assertEquals("0:65532", d.right());
    }

    @Test
    void anMtime() {
        Difference d = change("/etc/hello.txt", e -> e.withMtime(1_694_201_235L), Aspect.MTIME);
        assertEquals("etc/hello.txt", d.subject());
        assertEquals("1694201234 (2023-09-08T19:27:14Z)", d.left());
        assertEquals("1694201235 (2023-09-08T19:27:15Z)", d.right());
    }

    @Test
    void aSymlinkTarget() {
        Difference d = change("/etc/greeting", e -> Entry.symlink(e.path(), "passwd", e.mode(), 0, 0, e.mtime()), Aspect.LINK);
        assertEquals("etc/greeting", d.subject());
        assertEquals("'hello.txt'", d.left());
        assertEquals("'passwd'", d.right());
    }

    @Test
    void anXattr() {
        Difference d = change("/usr/bin/ping", e -> e.withXattrs(Map.of()), Aspect.XATTRS);
        assertEquals("usr/bin/ping", d.subject());
        assertTrue(d.left().contains("security.capability"), d.left());
        assertEquals("{}", d.right());
    }

    @Test
    void anEntryOnOneSideAndATypeChange() {
        List<Entry> more = new ArrayList<>(entries("amd64"));
        more.add(Entry.file("/etc/motd", 0644, 0, 0, 1_690_000_000L, Content.of("hi\n".getBytes(UTF_8))));
        List<Entry> retyped = replace(more, "/usr/bin/ping4",
                e -> Entry.symlink(e.path(), "ping", 0777, 0, 0, e.mtime()));
        ImageDiff diff = ImageDiff.between(single("a", entries("amd64")), single("b", retyped));
        assertEquals("etc/motd", only(diff, Aspect.ONLY_RIGHT).subject());
        Difference t = only(diff, Aspect.TYPE);
        assertEquals("usr/bin/ping4", t.subject());
        assertEquals("hardlink", t.left());
        assertEquals("symlink", t.right());
        ImageDiff back = ImageDiff.between(single("c", retyped), single("d", entries("amd64")));
        assertEquals("etc/motd", only(back, Aspect.ONLY_LEFT).subject());
        assertTrue(back.render().contains("only in left: etc/motd"), back.render());
    }

    @Test
    void entryDifferencesComeInTarOrderUpToTheLimit() {
        List<Entry> changed = entries("amd64");
        for (String p : List.of("/etc/hello.txt", "/etc/passwd", "/srv/private/secret", "/usr/bin/ping")) {
            changed = replace(changed, p, e -> e.withMode(0700));
        }
        ImageDiff diff = ImageDiff.between(single("a", entries("amd64")), single("b", changed), 2);
        List<String> paths = diff.of(Aspect.MODE).stream().map(Difference::subject).toList();
        assertEquals(List.of("etc/hello.txt", "etc/passwd"), paths);
        assertEquals(2, diff.omitted());
        assertTrue(diff.render().contains("... and 2 more tar entry differences"), diff.render());
    }

    // ---- blobs

    @Test
    void aFlippedByteInALayerBreaksItsDigestAndIsFoundThoughBothNameTheSameDigest() throws IOException {
        Path a = single("a", entries("amd64"));
        Path b = copyOf(a);
        Path layer = layerBlob(b);
        byte[] bytes = Files.readAllBytes(layer);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(layer, bytes);

        ImageDiff diff = ImageDiff.between(a, b);
        Difference d = only(diff, Aspect.DIGEST_MISMATCH);
        assertEquals("blobs/sha256/" + layer.getFileName(), d.subject());
        assertEquals("ok", d.left());
        assertEquals("hashes to " + Digest.of(bytes), d.right());
        assertTrue(d.where().startsWith("layer linux/amd64 layers[0] (sha256:" + layer.getFileName() + ")"), d.where());
        // what the flip did inside: the deflate stream or the gzip trailer no longer checks out, or an entry changed
        assertFalse(diff.of(Aspect.UNREADABLE).isEmpty() && diff.of(Aspect.CONTENT).isEmpty(), diff.render());
        assertTrue(diff.of(Aspect.FIELD).isEmpty(), "the JSON is the same: " + diff.render());
    }

    interface Breakage {
        void apply(Path copy) throws IOException;
    }

    /** The one difference between the fixture's layout and a copy broken by hand, asserting it is of {@code aspect}. */
    Difference broken(Breakage breakage, Aspect aspect) throws IOException {
        Path a = single("a", entries("amd64"));
        Path b = copyOf(a);
        breakage.apply(b);
        return only(ImageDiff.between(a, b), aspect);
    }

    @Test
    void aMissingBlob() throws IOException {
        Difference d = broken(b -> Files.delete(layerBlob(b)), Aspect.MISSING_BLOB);
        assertEquals("present", d.left());
        assertEquals("missing", d.right());
    }

    @Test
    void aBlobNothingReachesOnOneSide() throws IOException {
        byte[] stray = "stray\n".getBytes(UTF_8);
        Difference d = broken(b -> Files.write(b.resolve("blobs/sha256").resolve(Digest.of(stray).hex()), stray), Aspect.ONLY_RIGHT);
        assertEquals("blobs/sha256/" + Digest.of(stray).hex(), d.subject());
    }

    @Test
    void aChangedConfigFieldNamesTheFieldAndBothValues() {
        Path a = layout("a", Map.of("amd64", entries("amd64")), "nonroot");
        Path b = layout("b", Map.of("amd64", entries("amd64")), "root");
        ImageDiff diff = ImageDiff.between(a, b);
        List<Difference> config = diff.differences().stream().filter(d -> d.where().startsWith("config linux/amd64")).toList();
        assertEquals(1, config.size(), diff.render());
        assertEquals("config.User", config.get(0).subject());
        assertEquals("\"nonroot\"", config.get(0).left());
        assertEquals("\"root\"", config.get(0).right());
        assertTrue(diff.differences().stream().noneMatch(d -> d.where().startsWith("layer")), "the layers are the same");
        assertTrue(diff.render().contains("config.User: \"nonroot\" vs \"root\""), diff.render());
    }

    @Test
    void inAnIndexTheDifferingArchitectureIsNamedAndTheOtherIsNotReported() {
        Path a = layout("a", Map.of("amd64", entries("amd64"), "arm64", entries("arm64")), "nonroot");
        Path b = layout("b", Map.of("amd64", entries("amd64"),
                "arm64", replace(entries("arm64"), "/etc/hello.txt", e -> e.withMode(0600))), "nonroot");
        ImageDiff diff = ImageDiff.between(a, b);
        assertTrue(only(diff, Aspect.MODE).where().startsWith("layer linux/arm64/v8 layers[0]"), diff.render());
        assertTrue(diff.differences().stream().noneMatch(d -> d.where().contains("amd64")), diff.render());
        assertTrue(diff.differences().stream().anyMatch(d -> d.where().startsWith("index (") && d.subject().equals("manifests[1].digest")),
                diff.render());
    }

    @Test
    void aManifestOnOneSideOnly() {
        Path a = layout("a", Map.of("amd64", entries("amd64"), "arm64", entries("arm64")), "nonroot");
        Path b = layout("b", Map.of("amd64", entries("amd64"), "arm64", entries("arm64"), "riscv64", entries("riscv64")), "nonroot");
        ImageDiff diff = ImageDiff.between(a, b);
        List<Difference> inIndex = diff.differences().stream().filter(d -> d.where().startsWith("index (")).toList();
        assertEquals(1, inIndex.size(), diff.render());
        assertEquals("manifests[2]", inIndex.get(0).subject());
        assertEquals("(absent)", inIndex.get(0).left());
        assertTrue(inIndex.get(0).right().contains("riscv64"), inIndex.get(0).right());
        assertTrue(diff.differences().stream().noneMatch(d -> d.where().startsWith("layer")), diff.render());
    }

    // ---- equal entries, other bytes

    @Test
    void equalEntriesWithOtherTarBytesPointAtTheEndOfTheArchive() throws IOException {
        byte[] tar = tar(entries("amd64"));
        byte[] padded = java.util.Arrays.copyOf(tar, tar.length + 10240); // a record-size pad, as GNU tar writes
        ImageDiff diff = ImageDiff.between(raw("a", tar, kilnGzip(tar)), raw("b", padded, kilnGzip(padded)));
        Difference d = only(diff, Aspect.TAR_BYTES);
        assertEquals("end of archive (byte " + tar.length + ")", d.subject());
        assertEquals("end", d.left());
        assertEquals("0x00", d.right());
        assertTrue(diff.differences().stream().noneMatch(x -> x.aspect().name().startsWith("ONLY")), diff.render());
    }

    @Test
    void equalEntriesWithAnotherHeaderEncodingPointAtTheEntrysHeader() throws IOException {
        byte[] tar = tar(entries("amd64"));
        byte[] other = tar.clone();
        // the first header's checksum as seven digits and a NUL instead of GNU's six, a NUL and a space
        byte[] sum = ("0" + new String(tar, 148, 6, UTF_8) + "\0").getBytes(UTF_8);
        System.arraycopy(sum, 0, other, 148, 8);
        int at = java.util.Arrays.mismatch(tar, other);
        assertTrue(at >= 148 && at < 156, "a checksum byte changed: " + at);
        ImageDiff diff = ImageDiff.between(raw("a", tar, kilnGzip(tar)), raw("b", other, kilnGzip(other)));
        Difference d = only(diff, Aspect.TAR_BYTES);
        assertEquals("etc/ (header, byte " + at + ")", d.subject());
        assertEquals(String.format("0x%02x", tar[at]), d.left());
    }

    @Test
    void theSameTarCompressedByAnotherGzipNamesTheHeaderField() throws IOException {
        byte[] tar = tar(entries("amd64"));
        ByteArrayOutputStream jdk = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(jdk)) {
            gz.write(tar);
        }
        byte[] kiln = kilnGzip(tar);
        byte[] other = jdk.toByteArray();
        ImageDiff diff = ImageDiff.between(raw("a", tar, kiln), raw("b", tar, other));
        Difference d = only(diff, Aspect.COMPRESSION);
        int at = java.util.Arrays.mismatch(kiln, other);
        assertTrue(d.subject().contains("byte " + at), d.subject());
        assertEquals(String.format("0x%02x", kiln[at] & 0xff), d.left());
        assertTrue(diff.of(Aspect.TAR_BYTES).isEmpty() && diff.of(Aspect.CONTENT).isEmpty(), diff.render());
    }

    @Test
    void theSameEntriesInAnotherOrder() throws IOException {
        byte[] ab = handTar(List.of("a", "b"));
        byte[] ba = handTar(List.of("b", "a"));
        ImageDiff diff = ImageDiff.between(raw("x", ab, kilnGzip(ab)), raw("y", ba, kilnGzip(ba)));
        Difference d = only(diff, Aspect.ORDER);
        assertEquals("entry 0", d.subject());
        assertEquals("a", d.left());
        assertEquals("b", d.right());
    }

    @Test
    void aTruncatedLayerIsUnreadableAndTheLostEntriesAreNotListedOneByOne() throws IOException {
        byte[] tar = tar(entries("amd64"));
        byte[] cut = java.util.Arrays.copyOf(tar, 1536); // two whole entries, then nothing
        ImageDiff diff = ImageDiff.between(raw("a", tar, kilnGzip(tar)), raw("b", cut, kilnGzip(cut)));
        Difference d = only(diff, Aspect.UNREADABLE);
        assertEquals("ok", d.left());
        assertTrue(d.right().startsWith("broken after "), d.right());
        assertTrue(diff.of(Aspect.ONLY_LEFT).isEmpty(), diff.render());
    }

    private static byte[] handTar(List<String> names) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            for (String n : names) {
                TarArchiveEntry e = new TarArchiveEntry(n);
                byte[] data = n.getBytes(UTF_8);
                e.setSize(data.length);
                e.setModTime(EPOCH * 1000);
                t.putArchiveEntry(e);
                t.write(data);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    // ---- layout files

    @Test
    void aReferenceNameInIndexJsonIsAField() throws IOException {
        Difference d = broken(b -> Files.writeString(b.resolve("index.json"),
                Files.readString(b.resolve("index.json")).replace("\"latest\"", "\"v1\"")), Aspect.FIELD);
        assertEquals("index.json", d.where());
        assertEquals("manifests[0].annotations.org.opencontainers.image.ref.name", d.subject());
    }

    @Test
    void theSameJsonWithOtherBytesIsNamedAsSuch() throws IOException {
        Difference d = broken(b -> Files.writeString(b.resolve("index.json"),
                Files.readString(b.resolve("index.json")).replace(",", ", ")), Aspect.JSON_BYTES);
        assertEquals("index.json", d.where());
    }

    @Test
    void aLayoutThatIsNotThereIsAnError() {
        Path a = single("a", entries("amd64"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.kiln.oci.OciException.class,
                () -> ImageDiff.between(a, tmp.resolve("nothing")));
        assertTrue(e.getMessage().contains("expected an OCI image layout directory, found nothing"), e.getMessage());
    }
}
