package dev.kiln.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.testing.TinyRepository;
import dev.kiln.assembler.cache.LayerCache;
import dev.kiln.assembler.cache.UnpackCache;
import dev.kiln.assembler.copy.BuildContext;
import dev.kiln.assembler.copy.Copies;
import dev.kiln.assembler.copy.Copy;
import dev.kiln.assembler.image.ImageAssembler;
import dev.kiln.assembler.tree.Content;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.Manifest;
import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.lock.CopyListing;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.ImageSpecParser;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local sources through the whole Java API, with no network: {@code paths} entries that copy a
 * directory and a file are pinned in the lock, laid into the image deterministically, held to the
 * lock on every build, and taken from the image itself when {@code verify} rebuilds it.
 */
class CopyBuildTest {
    private static final String PATHS = """
            paths:
              - {path: /app, type: directory, source: ./app, uid: 65532, gid: 65532}
              - {path: /etc/tiny/app.conf, type: file, source: conf/app.conf, permissions: 0o640}
            """;

    @TempDir
    static Path shared;
    static TinyRepository repo;

    @TempDir
    Path tmp;
    Path spec;

    @BeforeAll
    static void repository() throws Exception {
        repo = TinyRepository.make(shared);
    }

    /** A source with real mtimes and odd modes, a subdirectory, an executable and a link; a config file beside it. */
    @BeforeEach
    void sources() throws IOException {
        Path app = Files.createDirectories(tmp.resolve("app/bin"));
        write(tmp.resolve("app/index.html"), "<h1>hello</h1>\n", "rw-rw-r--", 1_694_201_234L);
        write(app.resolve("serve"), "#!/bin/sh\nexec httpd\n", "rwx------", 1_734_567_890L);
        Files.createSymbolicLink(tmp.resolve("app/home.html"), Path.of("index.html"));
        Files.createDirectories(tmp.resolve("conf"));
        write(tmp.resolve("conf/app.conf"), "port = 8080\n", "rw-------", 1_600_000_000L);
        spec = repo.spec(tmp, "app", PATHS);
    }

    private static void write(Path p, String text, String perms, long mtime) throws IOException {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(mtime)));
    }

    private Building.Built build(Path store, String out, boolean frozen) {
        try (Kiln kiln = TinyRepository.kiln(repo.seed(store))) {
            return build(kiln, spec, out, frozen);
        }
    }

    /** The façade's build, with what the build held on to (its lock) in hand. */
    private Building.Built build(Kiln kiln, Path specFile, String out, boolean frozen) {
        Inputs in = Inputs.of(Spec.load(specFile), LockRequest.besideSpec(specFile), Optional.empty());
        return Building.build(kiln.session(), in, tmp.resolve(out), frozen ? LockMode.FROZEN : LockMode.ONLINE, Epoch.fromLock(),
                Copies.Origin.DISK);
    }

    /** One tar entry of an image, with its data. */
    record TarItem(char type, int mode, long uid, long gid, long mtime, String link, byte[] data) {
    }

    /** Every entry of the (single-platform) image's layers, later layers over earlier ones. */
    static Map<String, TarItem> entries(Path layout) throws IOException {
        LayoutReader reader = LayoutReader.open(layout);
        Manifest m = reader.manifest(reader.top());
        Map<String, TarItem> out = new TreeMap<>();
        for (Descriptor layer : m.layers()) {
            try (InputStream in = new GzipCompressorInputStream(Files.newInputStream(reader.blob(layer)));
                 TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    out.put(e.getName(), new TarItem((char) e.getLinkFlag(), e.getMode(), e.getLongUserId(), e.getLongGroupId(),
                            e.getLastModifiedTime().toInstant().getEpochSecond(), e.getLinkName(), tar.readAllBytes()));
                }
            }
        }
        return out;
    }

    @Test
    void theSourcesAreInTheImageWithTheSpecsOwnerNormalizedModesAndTheEpoch() throws IOException {
        Building.Built built = build(tmp.resolve("store"), "oci", false);
        Map<String, TarItem> e = entries(built.layout());
        TarItem index = e.get("app/index.html");
        assertEquals("<h1>hello</h1>\n", new String(index.data(), UTF_8));
        assertEquals(List.of(0644, 65532L, 65532L, TinyRepository.EPOCH), List.of(index.mode(), index.uid(), index.gid(), index.mtime()));
        TarItem serve = e.get("app/bin/serve");
        assertEquals(List.of(0755, 65532L, TinyRepository.EPOCH), List.of(serve.mode(), serve.uid(), serve.mtime()));
        assertEquals(List.of(0755, 65532L), List.of(e.get("app/bin/").mode(), e.get("app/bin/").uid()));
        assertEquals("index.html", e.get("app/home.html").link());
        TarItem conf = e.get("etc/tiny/app.conf");
        assertEquals(List.of(0640, 0L, TinyRepository.EPOCH), List.of(conf.mode(), conf.uid(), conf.mtime()));
        assertEquals("size = tiny\n", new String(e.get("etc/tiny/tiny.conf").data(), UTF_8), "the package's files beside it stay");

        // the lock pins each source by the digest of its listing, and the image carries the listings
        List<Lock.Copy> pinned = Locking.read(LockRequest.besideSpec(spec)).copies();
        assertEquals(List.of("/app", "/etc/tiny/app.conf"), pinned.stream().map(Lock.Copy::path).toList());
        assertEquals(List.of(2, 1), pinned.stream().map(Lock.Copy::files).toList());
        for (Lock.Copy s : pinned) {
            TarItem listing = e.get("etc/kiln/sources/" + s.sha256().hex() + ".json");
            assertEquals(s.sha256(), Digest.of(listing.data()), s.path());
            assertEquals(s.sha256(), CopyListing.parse(listing.data(), s.path()).digest());
        }
        assertEquals(built.lock(), Locking.read(LockRequest.besideSpec(spec)));
    }

    @Test
    void buildingAgainGivesTheSameImageWritesNoLayerAndAFreshStoreGivesItToo() throws IOException {
        Path store = tmp.resolve("store");
        Building.Built first = build(store, "a", false);
        long blobs = blobs(store);
        Building.Built second = build(store, "b", true);
        assertEquals(first.top(), second.top());
        assertEquals(blobs, blobs(store), "a warm build finds every layer in the store's memo");
        Building.Built cold = build(tmp.resolve("other-store"), "c", true);
        assertEquals(first.top(), cold.top());
    }

    @Test
    void aChangedSourceFileIsRefusedWhenFrozenNamingItAndRepinnedOtherwise() throws IOException {
        Path store = tmp.resolve("store");
        Building.Built first = build(store, "a", false);
        Files.writeString(tmp.resolve("app/index.html"), "<h1>hellO</h1>\n");
        Files.setPosixFilePermissions(tmp.resolve("app/bin/serve"), PosixFilePermissions.fromString("rw-r--r--"));
        ResolveException e = assertThrows(ResolveException.class, () -> build(store, "frozen", true));
        assertTrue(e.getMessage().startsWith("the lock is frozen, but the local sources changed since " + LockRequest.besideSpec(spec)
                + " was made:"), e.getMessage());
        assertEquals("lock.stale", e.code());
        assertTrue(e.getMessage().contains("~ source /app from ./app: its content changed"), e.getMessage());
        assertTrue(e.getMessage().contains("    ~ bin/serve: mode 0755 -> 0644"), e.getMessage());
        assertTrue(e.getMessage().contains("    ~ index.html: content (15 bytes "), e.getMessage());
        assertFalse(e.getMessage().contains("app.conf"), "only what changed is named: " + e.getMessage());
        assertFalse(Files.exists(tmp.resolve("frozen")), "nothing is written");

        Building.Built again = build(store, "b", false);
        assertNotEquals(first.top(), again.top());
        Lock relocked = Locking.read(LockRequest.besideSpec(spec));
        assertNotEquals(first.lock().copies().get(0).sha256(), relocked.copies().get(0).sha256());
        assertEquals(first.lock().copies().get(1), relocked.copies().get(1));
        assertEquals(first.lock().archs(), relocked.archs(), "the packages are not resolved again");
        assertEquals("<h1>hellO</h1>\n", new String(entries(again.layout()).get("app/index.html").data(), UTF_8));
    }

    private static Manifest manifest(Path layout) {
        LayoutReader reader = LayoutReader.open(layout);
        return reader.manifest(reader.top());
    }

    private static List<Digest> layers(Building.Built built) {
        return manifest(built.layout()).layers().stream().map(Descriptor::digest).toList();
    }

    /** The history comment of each layer. */
    private static List<String> comments(Path layout) throws IOException {
        JsonNode config = new ObjectMapper().readTree(LayoutReader.open(layout).bytes(manifest(layout).config()));
        List<String> out = new java.util.ArrayList<>();
        config.get("history").forEach(h -> out.add(h.get("comment").asText()));
        return out;
    }

    /** The tar entry names of one layer, in the order written. */
    private static List<String> names(Path layout, int layer) throws IOException {
        LayoutReader reader = LayoutReader.open(layout);
        List<String> out = new java.util.ArrayList<>();
        try (InputStream in = new GzipCompressorInputStream(Files.newInputStream(reader.blob(manifest(layout).layers().get(layer))));
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                out.add(e.getName());
            }
        }
        return out;
    }

    private static long memoRecords(Path store, String step) throws IOException {
        try (Stream<Path> s = Files.list(store.resolve("memo").resolve(step))) {
            return s.count();
        }
    }

    @Test
    void theSourcesHaveALayerOfTheirOwnBetweenThePackagesAndTheSpecAndLock() throws IOException {
        Building.Built built = build(tmp.resolve("store"), "oci", false);
        Manifest m = manifest(built.layout());
        assertEquals(3, m.layers().size(), m.toString());
        List<String> comments = comments(built.layout());
        assertEquals(List.of("packages", "local sources (/app, /etc/tiny/app.conf)", "spec and lock"), comments);
        assertEquals(List.of("app/", "app/bin/", "app/bin/serve", "app/home.html", "app/index.html", "etc/", "etc/tiny/",
                "etc/tiny/app.conf"), names(built.layout(), 1), "what the sources bring, with the directories above it");
        List<String> packages = names(built.layout(), 0);
        assertTrue(packages.contains("etc/tiny/tiny.conf"), packages.toString());
        assertFalse(packages.stream().anyMatch(n -> n.startsWith("app/") || n.equals("etc/tiny/app.conf")), packages.toString());
    }

    @Test
    void withOriginLayeringTheSourcesLayerFollowsThePackageLayers() throws IOException {
        spec = repo.spec(tmp, "origin", PATHS + "layering: {strategy: origin, budget: 2}\n");
        Building.Built built = build(tmp.resolve("store"), "oci", false);
        List<String> comments = comments(built.layout());
        assertEquals(List.of("tiny", "other packages and generated files", "local sources (/app, /etc/tiny/app.conf)", "spec and lock"),
                comments);
        assertTrue(names(built.layout(), 0).contains("etc/tiny/tiny.conf"));
        assertEquals("size = tiny\n", new String(entries(built.layout()).get("etc/tiny/tiny.conf").data(), UTF_8));
        assertTrue(names(built.layout(), 2).contains("app/index.html"));
    }

    @Test
    void otherSourcesOrNoneLeaveThePackageLayerByteIdentical() throws IOException {
        Path store = tmp.resolve("store");
        Building.Built withSources = build(store, "a", false);
        Files.createDirectories(tmp.resolve("other/www"));
        Files.writeString(tmp.resolve("other/www/page.html"), "another site\n");
        Path otherSpec = repo.spec(tmp.resolve("other"), "other", """
                paths:
                  - {path: /srv/www, type: directory, source: www, uid: 33, gid: 33}
                  - {path: /etc/tiny/tiny.conf, type: file, source: www/page.html}
                """);
        Path plainSpec = repo.spec(Files.createDirectories(tmp.resolve("plain")), "plain", "");
        try (Kiln kiln = TinyRepository.kiln(store)) {
            Building.Built other = build(kiln, otherSpec, "b", false);
            Building.Built plain = build(kiln, plainSpec, "c", false);
            assertEquals(layers(plain).get(0), layers(withSources).get(0));
            assertEquals(layers(plain).get(0), layers(other).get(0));
            assertNotEquals(layers(withSources).get(1), layers(other).get(1));
            assertEquals(2, layers(plain).size(), "no sources, no sources' layer");
            assertEquals("another site\n", new String(entries(other.layout()).get("etc/tiny/tiny.conf").data(), UTF_8),
                    "a source that replaces a package file wins over it");
        }
    }

    @Test
    void changingOneByteOfASourceRewritesOnlyTheSourcesLayerAndTheSpecLayer() throws IOException {
        Path store = tmp.resolve("store");
        Building.Built first = build(store, "a", false);
        long layerRecords = memoRecords(store, LayerCache.STEP.id());
        long unpacked = memoRecords(store, UnpackCache.STEP.id());
        Files.writeString(tmp.resolve("app/index.html"), "<h1>hellO</h1>\n");
        Building.Built second = build(store, "b", false);
        List<Digest> before = layers(first);
        List<Digest> after = layers(second);
        assertEquals(before.get(0), after.get(0), "the package layer is the same blob");
        assertNotEquals(before.get(1), after.get(1), "the sources' layer holds the new byte");
        assertNotEquals(before.get(2), after.get(2), "the lock in the spec layer pins the new listing");
        assertEquals(layerRecords + 2, memoRecords(store, LayerCache.STEP.id()), "two layers were written anew, the package layer was not");
        assertEquals(unpacked, memoRecords(store, UnpackCache.STEP.id()), "no package was unpacked again");
    }

    @Test
    void aSourceOverAPackageFileVerifiesFromTheImageInAFreshStore() throws IOException {
        spec = repo.spec(tmp, "over", """
                paths:
                  - {path: /etc/tiny/tiny.conf, type: file, source: conf/app.conf, permissions: 0o600}
                """);
        Building.Built built = build(tmp.resolve("store"), "oci", false);
        TarItem conf = entries(built.layout()).get("etc/tiny/tiny.conf");
        assertEquals(List.of("port = 8080\n", 0600), List.of(new String(conf.data(), UTF_8), conf.mode()));
        deleteTree(tmp.resolve("conf"));
        try (Kiln kiln = TinyRepository.kiln(repo.seed(tmp.resolve("fresh")))) {
            VerifyResult v = kiln.verify(VerifyRequest.of(ImageRef.layout(built.layout())));
            assertTrue(v.identical(), v.report());
        }
    }

    @Test
    void aSymlinkOutOfTheSourceStopsTheBuildNamingSpecKeyAndLink() throws IOException {
        Files.createSymbolicLink(tmp.resolve("app/passwd"), Path.of("../../../../../../etc/passwd"));
        ResolveException e = assertThrows(ResolveException.class, () -> build(tmp.resolve("store"), "oci", false));
        assertTrue(e.getMessage().startsWith(spec + ":7: paths[0].source: the symlink ./app/passwd -> ../../../../../../etc/passwd"
                + " leads outside the source"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("oci")));
    }

    @Test
    void verifyRebuildsFromTheImageAloneInAFreshStoreWithoutReadingTheSources() throws IOException {
        Building.Built built = build(tmp.resolve("store"), "oci", false);
        deleteTree(tmp.resolve("app"));
        deleteTree(tmp.resolve("conf"));
        Path fresh = repo.seed(tmp.resolve("fresh"));
        try (Kiln kiln = TinyRepository.kiln(fresh)) {
            VerifyResult v = kiln.verify(VerifyRequest.of(ImageRef.layout(built.layout())));
            assertTrue(v.identical(), v.report());
            for (Lock.Copy s : built.lock().copies()) {
                assertTrue(kiln.session().store().contains(s.sha256()), "the listing came from the image into the store");
            }
        }
    }

    @Test
    void aTamperedSourceFileInTheImageIsNamedWithBothDigests() throws IOException {
        Building.Built honest = build(tmp.resolve("store"), "honest", false);
        Path forged = forge(honest, "forged");
        Path fresh = repo.seed(tmp.resolve("fresh"));
        try (Kiln kiln = TinyRepository.kiln(fresh)) {
            CopyMismatchException e = assertThrows(CopyMismatchException.class, () -> kiln.verify(VerifyRequest.of(ImageRef.layout(forged))));
            String m = e.getMessage();
            assertTrue(m.contains("does not hold the local sources its lock pins"), m);
            assertTrue(m.contains("/app/index.html (from ./app/index.html): the image holds 15 bytes "
                    + Digest.of("<h1>HELLO</h1>\n").shortHex() + ", the lock pins 15 bytes " + Digest.of("<h1>hello</h1>\n").shortHex()), m);
            assertFalse(m.contains("serve"), "only the tampered file is named: " + m);
        }
    }

    @Test
    void withTheStoreThatBuiltItATamperedImageIsRebuiltAndTheDiffNamesTheFile() throws IOException {
        Path store = tmp.resolve("store");
        Building.Built honest = build(store, "honest", false);
        Path forged = forge(honest, "forged");
        try (Kiln kiln = TinyRepository.kiln(store)) {
            VerifyResult v = kiln.verify(VerifyRequest.of(ImageRef.layout(forged)));
            assertFalse(v.identical());
            assertEquals(honest.top().digest().toString(), v.rebuilt(), "the store's content is what the lock pins");
            assertTrue(v.report().contains("app/index.html"), v.report());
        }
    }

    /**
     * What an attacker would publish: the image with /app/index.html changed (the same size), and
     * everything else — the spec, the lock, the listings, every digest — consistent with it. Built
     * by kiln itself from a source whose content lies about its bytes, in a store of its own.
     */
    private Path forge(Building.Built honest, String name) throws IOException {
        ImageSpec parsed = ImageSpecParser.parse(spec);
        Path out = tmp.resolve(name);
        try (ContentStore store = ContentStore.open(repo.seed(tmp.resolve("forger")))) {
            Map<String, Copy> copies = new HashMap<>(Copies.load(parsed, BuildContext.of(spec, Optional.empty()), store));
            Copy app = copies.get("/app");
            Map<Digest, Content> lying = new HashMap<>(app.contents());
            Digest index = Digest.of("<h1>hello</h1>\n");
            lying.put(index, new LyingContent(index, "<h1>HELLO</h1>\n".getBytes(UTF_8)));
            copies.put("/app", new Copy(app.entry(), app.listing(), lying));
            ImageAssembler assembler = new ImageAssembler(store, parsed, Files.readAllBytes(spec), honest.lock(), honest.epoch(), copies);
            try (ImageLayout layout = ImageLayout.stage(out)) {
                layout.commit(assembler.write(layout), ImageLayout.IMAGE_REF);
            }
        }
        return out;
    }

    /** Bytes that claim another digest. */
    private record LyingContent(Digest claimed, byte[] bytes) implements Content {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public Digest digest() {
            return claimed;
        }

        @Override
        public InputStream open() {
            return new ByteArrayInputStream(bytes);
        }
    }

    private static long blobs(Path store) throws IOException {
        try (Stream<Path> s = Files.list(store.resolve("blobs/sha256"))) {
            return s.count();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
