package dev.kiln.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.Platform;
import dev.kiln.oci.compare.ImageDiff;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image's dpkg records against the lock's packages, on layouts made here. */
class InstalledPackagesTest {
    private static final long EPOCH = 1_700_000_000L;
    private static final String DIR = "/var/lib/dpkg/status.d/";

    @TempDir
    Path tmp;

    private static Entry record(String name, String version, String arch) {
        String text = "Package: " + name + "\nStatus: install ok installed\nVersion: " + version + "\nArchitecture: " + arch
                + "\nDescription: " + name + "\n with a continuation line\n";
        return Entry.file(DIR + name, 0644, 0, 0, 1_690_000_000L, Content.of(text.getBytes(UTF_8)));
    }

    private static Entry file(String path, String text) {
        return Entry.file(path, 0644, 0, 0, 1_690_000_000L, Content.of(text.getBytes(UTF_8)));
    }

    private static FileTree tree(Entry... entries) {
        FileTree.Builder b = FileTree.builder("records");
        for (Entry e : entries) {
            b.add(e);
        }
        return b.build();
    }

    private static Descriptor image(ImageLayout layout, String arch, List<FileTree> layers) {
        List<LayerDigests> written = new ArrayList<>();
        for (FileTree t : layers) {
            written.add(layout.writeLayer(out -> new TarLayerWriter(EPOCH).writeGzip(t, out)));
        }
        ImageConfigFile config = new ImageConfigFile(Platform.ofDebian(arch), Optional.of(Instant.ofEpochSecond(EPOCH)),
                ImageConfig.EMPTY, written.stream().map(LayerDigests::uncompressed).toList(), List.of());
        return layout.writeImage(config, written, Map.of());
    }

    /** The mismatches of a one-image layout of {@code layers} against a lock of {@code pinned} (amd64). */
    private List<String> check(List<FileTree> layers, Lock.Package... pinned) {
        Path dir = tmp.resolve("image");
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            layout.commit(image(layout, "amd64", layers), "latest");
        }
        LayoutReader reader = LayoutReader.open(dir);
        return InstalledPackages.against(reader, reader.top(), lock(Map.of("amd64", List.of(pinned))))
                .stream().map(InstalledPackages.Mismatch::render).toList();
    }

    private static Lock.Package pin(String name, String version, String arch) {
        return new Lock.Package(name, version, arch, name, "pool/main/" + name + ".deb", 100, Digest.of(name + version), 0);
    }

    private static Lock lock(Map<String, List<Lock.Package>> archs) {
        return new Lock(Lock.VERSION, new Lock.Spec("image.yaml", Digest.of("spec")),
                List.of(new Lock.Repository("deb ${DEBIAN_MIRROR} bookworm main", Digest.of("release"),
                        Instant.ofEpochSecond(EPOCH), Optional.empty(), List.of())),
                new Lock.Options(Set.of(), Map.of(), false), new TreeMap<>(archs));
    }

    @Test
    void recordsThatMatchTheLockGiveNothing() {
        assertEquals(List.of(), check(List.of(tree(record("libc6", "2.36-9", "amd64"), record("tzdata", "2024b-0", "all"),
                file(DIR + "libc6.md5sums", "d41d8cd98f00b204e9800998ecf8427e  usr/lib/x\n"))),
                pin("libc6", "2.36-9", "amd64"), pin("tzdata", "2024b-0", "all")));
    }

    @Test
    void anotherVersionIsNamedWithBothVersionsAndTheRecord() {
        assertEquals(List.of("the lock pins libfoo 2.0-1 (amd64) but the image holds libfoo 1.0-1 (amd64, " + DIR + "libfoo)"),
                check(List.of(tree(record("libfoo", "1.0-1", "amd64"))), pin("libfoo", "2.0-1", "amd64")));
    }

    @Test
    void anotherArchitectureIsNamed() {
        assertEquals(List.of("the lock pins libfoo 1.0-1 (amd64) but the image holds libfoo 1.0-1 (all, " + DIR + "libfoo)"),
                check(List.of(tree(record("libfoo", "1.0-1", "all"))), pin("libfoo", "1.0-1", "amd64")));
    }

    @Test
    void aPinnedPackageWithoutARecordAndARecordNotPinnedAreBothNamed() {
        assertEquals(List.of("the lock pins libbar 1 (amd64) but the image holds no record of it (no " + DIR + "libbar)",
                        "the image holds libfoo 1.0-1 (amd64, " + DIR + "libfoo), which the lock does not pin"),
                check(List.of(tree(record("libfoo", "1.0-1", "amd64"))), pin("libbar", "1", "amd64")));
    }

    @Test
    void aLaterLayersRecordReplacesAnEarlierOneAndAWhiteoutRemovesIt() {
        List<FileTree> layers = List.of(
                tree(record("libfoo", "1.0-1", "amd64"), record("libbar", "1", "amd64")),
                tree(record("libfoo", "2.0-1", "amd64"), file(DIR + ".wh.libbar", "")));
        assertEquals(List.of("the lock pins libbar 1 (amd64) but the image holds no record of it (no " + DIR + "libbar)"),
                check(layers, pin("libfoo", "2.0-1", "amd64"), pin("libbar", "1", "amd64")));
    }

    @Test
    void aRecordThatIsNoControlParagraphIsNamedAsUnreadable() {
        List<String> found = check(List.of(tree(file(DIR + "libfoo", "Package: libfoo\nno colon here\n"))),
                pin("libfoo", "1.0-1", "amd64"));
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("the lock pins libfoo 1.0-1 (amd64) but the image holds libfoo (unreadable: line 2:"),
                found.get(0));
    }

    @Test
    void anImageWhoseLayerCannotBeReadIsLeftToTheBlobComparison() throws IOException {
        Path dir = tmp.resolve("broken");
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            layout.commit(image(layout, "amd64", List.of(tree(record("libfoo", "1.0-1", "amd64")))), "latest");
        }
        LayoutReader reader = LayoutReader.open(dir);
        Path blob = reader.blob(reader.manifest(reader.top()).layers().get(0));
        byte[] bytes = Files.readAllBytes(blob);
        Arrays.fill(bytes, 10, bytes.length, (byte) 0); // after the gzip header: a stored block with bad lengths
        blob.toFile().setWritable(true);
        Files.write(blob, bytes);
        Lock lock = lock(Map.of("amd64", List.of(pin("libbar", "1", "amd64"))));
        assertEquals(List.of(), InstalledPackages.against(reader, reader.top(), lock));
        assertFalse(ImageDiff.between(dir, reader.top(), dir, reader.top()).identical(), "the comparison names the damage");
    }

    @Test
    void eachPlatformOfAnIndexIsHeldAgainstItsOwnArchitectureAndNamed() {
        Path dir = tmp.resolve("index");
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            Descriptor amd64 = image(layout, "amd64", List.of(tree(record("libfoo", "1.0-1", "amd64"))));
            Descriptor arm64 = image(layout, "arm64", List.of(tree(record("libfoo", "1.0-2", "arm64"))));
            layout.commit(layout.writeIndex(new Index(List.of(amd64, arm64), Map.of())), "latest");
        }
        LayoutReader reader = LayoutReader.open(dir);
        Lock lock = lock(Map.of("amd64", List.of(pin("libfoo", "1.0-1", "amd64")), "arm64", List.of(pin("libfoo", "1.0-1", "arm64"))));
        assertEquals(List.of("linux/arm64/v8: the lock pins libfoo 1.0-1 (arm64) but the image holds libfoo 1.0-2 (arm64, "
                        + DIR + "libfoo)"),
                InstalledPackages.against(reader, reader.top(), lock).stream().map(InstalledPackages.Mismatch::render).toList());
    }
}
