package dev.kiln.assembler.rootfs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.copy.Copy;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.layer.TarLayerWriter;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreeDigest;
import dev.kiln.assembler.tree.TreePath;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.ImageConfigFile;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.LayerDigests;
import dev.kiln.oci.Platform;
import dev.kiln.oci.testing.TestImages;
import dev.kiln.resolver.lock.CopyListing;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.ImageSpec.PathType;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local sources' layer over the package layers: the packages' tree is the spec's without its
 * sources, and unpacked over it the layer gives exactly the tree a single layer would hold, also
 * where the sources replace package files, links and hardlink targets or change directories.
 */
class SourceLayerTest {
    private static final long EPOCH = 1_700_000_000L;

    /** Packages with what sources like to land on: a config file, a hardlinked pair, a symlink, a private directory, an empty one. */
    private static List<DebPackage> packages() {
        return List.of(
                Pkg.named("appdata").file("/etc/app/app.conf", "listen = 80\n").file("/etc/app/defaults", 0600, "debug = no\n")
                        .file("/usr/share/app/data", 0644, "shared bytes\n").hardlink("/usr/share/app/again", "/usr/share/app/data")
                        .file("/usr/share/app/other", "other\n").symlink("/usr/share/app/link", "other")
                        .dir("/var/www", 0750).file("/var/www/placeholder", "nothing here yet\n").dir("/opt/empty").build(),
                Pkg.named("tool").file("/usr/bin/tool", 0755, "#!/bin/sh\n").build());
    }

    private static ImageSpec.PathEntry entry(String path, PathType type, Integer mode, long uid, String source, boolean recursive) {
        return new ImageSpec.PathEntry(path, type, mode == null ? OptionalInt.empty() : OptionalInt.of(mode), uid, uid,
                Optional.ofNullable(source), recursive);
    }

    /** A directory source of {@code files} (path to text; a path ending in / is a directory). */
    private static Copy dirSource(ImageSpec.PathEntry entry, Map<String, String> files) {
        List<CopyListing.Item> items = new ArrayList<>();
        Map<Digest, Content> bytes = new HashMap<>();
        files.forEach((path, text) -> {
            if (path.endsWith("/")) {
                items.add(CopyListing.Item.directory(path.substring(0, path.length() - 1)));
            } else {
                Content c = Content.of(text.getBytes(UTF_8));
                items.add(CopyListing.Item.file(path, 0644, c.size(), c.digest()));
                bytes.put(c.digest(), c);
            }
        });
        return new Copy(entry, new CopyListing(CopyListing.Kind.DIRECTORY, items), bytes);
    }

    private static Copy fileSource(ImageSpec.PathEntry entry, String text) {
        Content c = Content.of(text.getBytes(UTF_8));
        return new Copy(entry, new CopyListing(CopyListing.Kind.FILE, List.of(CopyListing.Item.file(".", 0644, c.size(),
                c.digest()))), Map.of(c.digest(), c));
    }

    private static RootfsBuilder.Options options(List<ImageSpec.PathEntry> paths, Copy... sources) {
        Map<String, Copy> copies = new HashMap<>();
        for (Copy s : sources) {
            copies.put(s.entry().path(), s);
        }
        return RootfsBuilder.Options.of("amd64", EPOCH).withPaths(paths).withCopies(copies);
    }

    /**
     * Every case at once: sources that replace a package file, a hardlink's target and a symlink,
     * one that merges into a package directory it re-owns, one whose entry is recursive over
     * package files; entries that only apply to copied files (permissions, hardlinks, one over an
     * empty package directory); and plain entries before and after.
     */
    private static RootfsBuilder.Options messy() {
        ImageSpec.PathEntry www = entry("/var/www", PathType.DIRECTORY, null, 33, "./www", false);
        ImageSpec.PathEntry conf = entry("/etc/app/app.conf", PathType.FILE, 0640, 0, "app.conf", false);
        ImageSpec.PathEntry data = entry("/usr/share/app/data", PathType.FILE, null, 0, "data.txt", false);
        ImageSpec.PathEntry link = entry("/usr/share/app/link", PathType.FILE, null, 0, "link.txt", false);
        ImageSpec.PathEntry share = entry("/usr/share/app", PathType.DIRECTORY, 0750, 7, "./extra", true);
        return options(List.of(entry("/tmp", PathType.DIRECTORY, 01777, 0, null, false), www, conf, data, link, share,
                        entry("/var/www/css/site.css", PathType.PERMISSIONS, 0600, 33, null, false),
                        entry("/srv/index.html", PathType.HARDLINK, null, 0, "/var/www/index.html", false),
                        entry("/opt/empty", PathType.HARDLINK, null, 0, "/var/www/index.html", false),
                        entry("/srv/flag", PathType.EMPTY_FILE, 0600, 0, null, false)),
                dirSource(www, new LinkedHashMap<>(Map.of("index.html", "<h1>hi</h1>\n", "css/", "", "css/site.css", "h1 {}\n",
                        "placeholder", "replaced\n"))),
                fileSource(conf, "listen = 8080\n"), fileSource(data, "new bytes\n"), fileSource(link, "a file now\n"),
                dirSource(share, Map.of("extra.txt", "extra\n")));
    }

    /** A path as an unpacker leaves it: its entry and the inode it got (hardlinks share their target's). */
    private record Unpacked(Entry entry, int inode) {
    }

    /**
     * Unpacks layers the way the OCI layer spec (and umoci, containerd) does: a directory over a
     * directory takes the new metadata and keeps what is below; anything else removes what is there
     * first; a hardlink shares the inode its target has at that moment.
     */
    private static Map<String, Unpacked> unpack(List<FileTree> layers) {
        TreeMap<String, Unpacked> fs = new TreeMap<>(TreePath.ORDER);
        int inodes = 0;
        for (FileTree layer : layers) {
            List<Entry> order = new ArrayList<>(layer.stream().filter(e -> e.type() != Entry.Type.HARDLINK).toList());
            order.addAll(layer.stream().filter(e -> e.type() == Entry.Type.HARDLINK).toList());
            for (Entry e : order) {
                if (e.path().equals(TreePath.ROOT)) {
                    continue; // layers do not carry it
                }
                Unpacked there = fs.get(e.path());
                if (there != null && !(there.entry().type() == Entry.Type.DIR && e.type() == Entry.Type.DIR)) {
                    fs.subMap(e.path(), true, e.path() + "/\uffff", true).clear();
                }
                if (e.type() == Entry.Type.HARDLINK) {
                    Unpacked target = fs.get(e.linkTarget());
                    assertTrue(target != null && target.entry().type() == Entry.Type.FILE, e + ": its target is not a file");
                    fs.put(e.path(), new Unpacked(e, target.inode()));
                } else {
                    fs.put(e.path(), new Unpacked(e, there != null && e.type() == Entry.Type.DIR && there.entry().type() == Entry.Type.DIR
                            ? there.inode() : ++inodes));
                }
            }
        }
        return fs;
    }

    /** {@code fs} holds exactly the tree's entries, and each hardlink shares its target's inode. */
    private static void assertUnpacksTo(FileTree whole, Map<String, Unpacked> fs) {
        List<String> expected = whole.stream().map(Entry::path).filter(p -> !p.equals(TreePath.ROOT)).toList();
        assertEquals(expected, List.copyOf(fs.keySet()));
        for (Entry e : whole) {
            if (e.path().equals(TreePath.ROOT)) {
                continue;
            }
            assertEquals(e, fs.get(e.path()).entry(), e.path());
            if (e.type() == Entry.Type.HARDLINK) {
                assertEquals(fs.get(e.linkTarget()).inode(), fs.get(e.path()).inode(), e.path() + " shares " + e.linkTarget() + "'s bytes");
            }
        }
    }

    private static List<FileTree> layers(RootfsBuilder.Layered trees) {
        FileTree packages = trees.withoutSources().tree();
        return List.of(packages, SourceLayer.over(packages, trees.whole().tree()).orElseThrow());
    }

    @Test
    void anEntryUnderALinkThatASourceBringsLandsWhereTheLinkLeadsInBothTrees() {
        ImageSpec.PathEntry app = entry("/opt/app", PathType.DIRECTORY, null, 0, "./app", false);
        Content a = Content.of("a".getBytes(UTF_8));
        Copy source = new Copy(app, new CopyListing(CopyListing.Kind.DIRECTORY, List.of(
                CopyListing.Item.symlink("current", "v2"), CopyListing.Item.directory("v2"),
                CopyListing.Item.file("v2/a", 0644, a.size(), a.digest()))), Map.of(a.digest(), a));
        ImageSpec.PathEntry extra = entry("/opt/app/current/extra.conf", PathType.EMPTY_FILE, null, 0, null, false);
        RootfsBuilder.Layered trees = RootfsBuilder.assembleLayered(packages(), options(List.of(app, extra), source));
        // the tree without sources has no 'current' link to follow: it places the entry as the whole tree did
        assertTrue(trees.whole().tree().get("/opt/app/v2/extra.conf").isPresent());
        assertTrue(trees.withoutSources().tree().get("/opt/app/v2/extra.conf").isPresent());
        assertUnpacksTo(trees.whole().tree(), unpack(layers(trees)));
    }

    @Test
    void overThePackagesTheSourcesLayerUnpacksToTheWholeTree() {
        RootfsBuilder.Layered trees = RootfsBuilder.assembleLayered(packages(), messy());
        assertEquals(RootfsBuilder.build(packages(), messy()), trees.whole().tree(), "the whole tree is what a single layer holds");
        assertUnpacksTo(trees.whole().tree(), unpack(layers(trees)));
    }

    @Test
    void aReplacedHardlinkTargetTakesItsLinksIntoTheLayerSoTheyShareTheNewBytes() {
        RootfsBuilder.Layered trees = RootfsBuilder.assembleLayered(packages(), messy());
        FileTree layer = layers(trees).get(1);
        Entry again = layer.get("/usr/share/app/again").orElseThrow();
        assertEquals(Entry.Type.HARDLINK, again.type());
        assertEquals("new bytes\n", new String(trees.whole().tree().get(again.linkTarget()).orElseThrow().content().readAllBytes(), UTF_8));

        // without the whole group, the link left in the package layer would keep the package's bytes
        FileTree.Builder partial = FileTree.builder("partial");
        layer.stream().filter(e -> e.type() != Entry.Type.HARDLINK).forEach(partial::add);
        layer.stream().filter(e -> e.type() == Entry.Type.HARDLINK && !e.path().equals("/usr/share/app/again")).forEach(partial::add);
        Map<String, Unpacked> fs = unpack(List.of(trees.withoutSources().tree(), partial.build()));
        assertNotEquals(fs.get("/usr/share/app/data").inode(), fs.get("/usr/share/app/again").inode());
    }

    @Test
    void theLayerHoldsWhatTheSourcesAddOrChangeWithTheirParentsAndNothingElse() {
        FileTree layer = layers(RootfsBuilder.assembleLayered(packages(), messy())).get(1);
        for (String p : List.of("/var/www", "/var/www/index.html", "/var/www/placeholder", "/var/www/css/site.css", "/etc/app/app.conf",
                "/usr/share/app/link", "/usr/share/app/other", "/srv/index.html", "/opt/empty", "/var", "/etc", "/etc/app")) {
            assertTrue(layer.contains(p), p);
        }
        assertEquals(List.of(0750, 33L), List.of(layer.get("/var/www").orElseThrow().mode(), layer.get("/var/www").orElseThrow().uid()),
                "a package directory a source merges into keeps its mode and takes the entry's owner");
        assertEquals(0600, layer.get("/var/www/css/site.css").orElseThrow().mode(), "a permissions entry on a copied file");
        assertEquals(7, layer.get("/usr/share/app/other").orElseThrow().uid(), "a recursive source entry re-owns package files");
        for (String p : List.of("/etc/app/defaults", "/usr/bin/tool", "/tmp", "/srv/flag", "/etc/passwd", "/var/lib/dpkg/status.d/appdata")) {
            assertFalse(layer.contains(p), p + " is not the sources' doing");
        }
    }

    @Test
    void thePackageTreeIsTheSpecsWithoutItsSourcesWhateverTheSourcesAre() {
        ImageSpec.PathEntry tmp = entry("/tmp", PathType.DIRECTORY, 01777, 0, null, false);
        ImageSpec.PathEntry flag = entry("/srv/flag", PathType.EMPTY_FILE, 0600, 0, null, false);
        ImageSpec.PathEntry www = entry("/var/www", PathType.DIRECTORY, 0755, 33, "./www", false);
        ImageSpec.PathEntry conf = entry("/etc/app/app.conf", PathType.FILE, 0640, 0, "app.conf", false);
        ImageSpec.PathEntry site = entry("/srv/site", PathType.DIRECTORY, null, 1000, "./site", true);
        FileTree plain = RootfsBuilder.build(packages(), options(List.of(tmp, flag)));

        RootfsBuilder.Layered one = RootfsBuilder.assembleLayered(packages(), options(List.of(tmp, www, conf, flag),
                dirSource(www, Map.of("index.html", "<h1>one</h1>\n")), fileSource(conf, "listen = 8080\n")));
        RootfsBuilder.Layered other = RootfsBuilder.assembleLayered(packages(), options(List.of(site, tmp, flag),
                dirSource(site, Map.of("a/", "", "a/b.txt", "b\n"))));
        assertEquals(plain, one.withoutSources().tree());
        assertEquals(plain, other.withoutSources().tree());
        assertEquals(TreeDigest.of(plain), TreeDigest.of(other.withoutSources().tree()));
        assertNotEquals(one.whole().tree(), other.whole().tree());
    }

    @Test
    void sourcesThatChangeNothingGiveNoLayer() {
        ImageSpec.PathEntry same = entry("/opt/empty", PathType.DIRECTORY, null, 0, "./nothing", false);
        RootfsBuilder.Layered trees = RootfsBuilder.assembleLayered(packages(), options(List.of(same), dirSource(same, Map.of())));
        assertEquals(Optional.empty(), SourceLayer.over(trees.withoutSources().tree(), trees.whole().tree()));
    }

    @Test
    void aLayerThatWouldHaveToRemoveAPathIsRefused() {
        FileTree below = FileTree.builder("below").add(Entry.dir("/", 0755, 0, 0, EPOCH)).add(Entry.dir("/etc", 0755, 0, 0, EPOCH))
                .add(Entry.file("/etc/gone", 0644, 0, 0, EPOCH, Content.of(new byte[1]))).build();
        FileTree whole = FileTree.builder("whole").add(Entry.dir("/", 0755, 0, 0, EPOCH)).add(Entry.dir("/etc", 0755, 0, 0, EPOCH)).build();
        AssembleException e = assertThrows(AssembleException.class, () -> SourceLayer.over(below, whole));
        assertTrue(e.getMessage().contains("would have to remove /etc/gone") && e.getMessage().contains("whiteout"), e.getMessage());
    }

    @Test
    void theHistoryCommentNamesWhereTheSourcesGo() {
        assertEquals("local sources (/srv/www, /etc/app.conf)", SourceLayer.label(List.of("/srv/www", "/etc/app.conf")));
    }

    /** umoci, a real unpacker, gives the same files from the two layers as from the single-layer image. */
    @Test
    void umociUnpacksTheSameFilesFromThePackageAndSourceLayersAsFromOneLayer(@TempDir Path tmp) throws Exception {
        RootfsBuilder.Layered trees = RootfsBuilder.assembleLayered(packages(), messy());
        ofLayers(tmp.resolve("layered"), layers(trees));
        ofLayers(tmp.resolve("single"), List.of(trees.whole().tree()));
        String layered = unpackedListing(tmp, "layered");
        assertEquals(unpackedListing(tmp, "single"), layered);
        assertTrue(layered.contains("./usr/share/app/again 81e8 2 "), "the hardlink pair survives: " + layered);
        assertTrue(layered.contains("./opt/empty 81a4 3 "), "an empty directory replaced by a hardlink: " + layered);
    }

    /** Every path's name, type and mode, link count, size, mtime, link target and sha256, as umoci unpacks the image. */
    private static String unpackedListing(Path tmp, String image) throws IOException, InterruptedException {
        String bundle = tmp.resolve(image + "-bundle").toString();
        run(tmp, "umoci", "unpack", "--rootless", "--image", tmp.resolve(image) + ":latest", bundle);
        return run(tmp.resolve(bundle).resolve("rootfs"), "sh", "-c", "find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do"
                + " stat -c '%n %f %h %s %Y %N' \"$p\"; if [ -f \"$p\" ] && [ ! -L \"$p\" ]; then sha256sum < \"$p\"; fi; done");
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + out);
        return out;
    }

    /** One amd64 image at {@code dir} with these layers, bottom first; its top is a manifest named {@code latest}. */
    private static Descriptor ofLayers(Path dir, List<FileTree> trees) {
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            TarLayerWriter writer = new TarLayerWriter(TestImages.EPOCH);
            List<LayerDigests> layers = trees.stream().map(t -> layout.writeLayer(out -> writer.writeGzip(t, out))).toList();
            ImageConfigFile config = new ImageConfigFile(Platform.ofDebian("amd64"), Optional.of(Instant.ofEpochSecond(TestImages.EPOCH)),
                    TestImages.runtime(), layers.stream().map(LayerDigests::uncompressed).toList(), List.of());
            Descriptor image = layout.writeImage(config, layers, Map.of());
            layout.commit(image, "latest");
            return image;
        }
    }
}
