package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.testing.TinyRepository;
import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.cache.LayerCache;
import dev.kiln.assembler.cache.UnpackCache;
import dev.kiln.oci.LayoutReader;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.store.Digest;
import dev.kiln.store.KilnException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store is not trusted by its file names: a build hashes every .deb it uses, holds each
 * package's control data to its lock entry, hashes every remembered layer it copies and every
 * remembered file it lays into a new layer. A store whose bytes were changed never yields an image
 * from them (the mirror here is dead, so nothing can be fetched again: the build must fail).
 */
class StoreRecheckBuildTest {
    @TempDir
    static Path shared;
    static TinyRepository repo;
    /** Another valid package, as large as tiny's: the bytes an overwritten blob would hold. */
    static byte[] tinx;

    @TempDir
    Path tmp;
    Path spec;
    Path store;

    @BeforeAll
    static void packages() throws Exception {
        repo = TinyRepository.make(shared);
        tinx = TinyRepository.deb(shared, "tinx", "1.0");
    }

    @BeforeEach
    void specAndStore() throws IOException {
        spec = repo.spec(tmp, "tiny", "");
        store = repo.seed(tmp.resolve("store"));
    }

    private BuildResult build(String out) {
        return build(out, e -> { });
    }

    private BuildResult build(String out, Consumer<FetchEvent> listener) {
        try (Kiln kiln = TinyRepository.builder(store).addEventHandler(FetchEvent.class, listener).open()) {
            return kiln.build(BuildRequest.of(Spec.load(spec)).to(Target.layout(tmp.resolve(out))));
        }
    }

    private Lock.Package tiny() {
        return Locking.read(LockRequest.besideSpec(spec)).packages("amd64").get(0);
    }

    private Path blob(Digest d) {
        return store.resolve("blobs/sha256").resolve(d.hex());
    }

    @Test
    void aDebOverwrittenByAnotherPackageOfTheSameSizeIsRemovedAndNeverUnpacked() throws IOException {
        String clean = build("clean").digest();
        Lock.Package tiny = tiny();
        assertEquals(tiny.size(), tinx.length, "the fixture: two packages of one size");
        Files.write(blob(tiny.sha256()), tinx); // the unpacked copy and the layer are still remembered
        List<String> heard = new ArrayList<>();
        Consumer<FetchEvent> listener = e -> {
            if (e instanceof FetchEvent.Damaged d) {
                heard.add(d.download().name() + " " + d.download().sha256() + " " + d.found());
            }
        };
        KilnException e = assertThrows(KilnException.class, () -> build("tampered", listener));
        assertEquals(List.of("tiny 1.0 amd64 " + tiny.sha256() + " " + Digest.of(tinx)), heard);
        assertTrue(e.getMessage().contains(tiny.sha256().toString()), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("tampered")));
        assertFalse(Files.exists(blob(tiny.sha256())), "the wrong bytes are gone from the store");
        // put right again, the store gives the clean image
        repo.seed(store);
        assertEquals(clean, build("again").digest());
    }

    @Test
    void aDebOverwrittenByBytesOfAnotherSizeIsRemovedToo() throws IOException {
        Lock.Package tiny = tiny();
        Files.write(blob(tiny.sha256()), "not a package".getBytes());
        assertThrows(KilnException.class, () -> build("tampered"));
        assertFalse(Files.exists(tmp.resolve("tampered")));
        assertFalse(Files.exists(blob(tiny.sha256())));
    }

    /** A lock entry relabelled to another version, its sha256 kept: refused, cold and with the package remembered. */
    @Test
    void aRelabelledLockEntryIsRefusedBeforeAnImageExists() throws IOException {
        Path lockFile = LockRequest.besideSpec(spec);
        Lock honest = Locking.read(lockFile);
        Lock.Package p = honest.packages("amd64").get(0);
        Lock relabelled = new Lock(honest.lockVersion(), honest.spec(), honest.repositories(), honest.options(),
                new TreeMap<>(Map.of("amd64", List.of(new Lock.Package(p.name(), "1.1", p.architecture(), p.source(), p.path(),
                        p.size(), p.sha256(), p.repository())))));
        Files.write(lockFile, LockJson.write(relabelled));
        String expected = "the lock pins tiny 1.1 (amd64) as " + p.sha256() + ", but that .deb is tiny 1.0 (amd64): the lock's"
                + " entry was edited, or names another package's file";
        AssembleException cold = assertThrows(AssembleException.class, () -> build("cold"));
        assertTrue(cold.getMessage().startsWith(expected), cold.getMessage());
        assertFalse(Files.exists(tmp.resolve("cold")));

        Files.write(lockFile, LockJson.write(honest));
        build("honest"); // the package is now remembered unpacked, its layer written
        Files.write(lockFile, LockJson.write(relabelled));
        AssembleException warm = assertThrows(AssembleException.class, () -> build("warm"));
        assertTrue(warm.getMessage().startsWith(expected), warm.getMessage());
        assertFalse(Files.exists(tmp.resolve("warm")));
    }

    @Test
    void aRememberedLayerWhoseBlobWasChangedIsWrittenAgain() throws IOException {
        BuildResult clean = build("clean");
        LayoutReader reader = LayoutReader.open(clean.layout().orElseThrow());
        Digest packages = reader.manifest(reader.top()).layers().get(0).digest();
        Path layer = blob(packages);
        byte[] bytes = Files.readAllBytes(layer);
        bytes[bytes.length / 2] ^= 1; // the same size, another byte
        Files.write(layer, bytes);
        assertEquals(clean.digest(), build("again").digest());
        assertEquals(packages, Digest.of(Files.readAllBytes(layer)), "the store's layer is right again");
    }

    @Test
    void aRememberedUnpackedFileWhoseBytesChangedIsUnpackedAgainNotLaidIntoALayer() throws IOException {
        String clean = build("clean").digest();
        Path unpacked = unpackedBlob();
        try (RandomAccessFile f = new RandomAccessFile(unpacked.toFile(), "rw")) {
            f.seek(16); // the first file's bytes follow the 16-byte header
            int b = f.read();
            f.seek(16);
            f.write(b ^ 0x20);
        }
        deleteTree(store.resolve("memo").resolve(LayerCache.STEP.id())); // so the layer is written again from the files
        assertEquals(clean, build("again").digest());
        assertFalse(Files.exists(unpacked) && !Digest.of(Files.readAllBytes(unpacked)).hex().equals(unpacked.getFileName().toString()),
                "the damaged copy is gone");
    }

    /** The unpacked copy of tiny, where its memo record leads. */
    private Path unpackedBlob() throws IOException {
        try (Stream<Path> records = Files.list(store.resolve("memo").resolve(UnpackCache.STEP.id()))) {
            Path record = blob(Digest.parse(Files.readString(records.findFirst().orElseThrow()).trim()));
            String line = Files.readString(record).lines().filter(l -> l.startsWith("blob ")).findFirst().orElseThrow();
            return blob(Digest.parse(line.split(" ")[1]));
        }
    }

    /** A memo entry led to another tree's layer record (another spec's layer), or to a record edited in place. */
    @Test
    void aLayerRecordThatIsNotThisTreesIsAMissNotItsLayer() throws IOException {
        String clean = build("clean").digest();
        Path memo = store.resolve("memo").resolve(LayerCache.STEP.id());
        List<Path> entries;
        try (Stream<Path> s = Files.list(memo)) {
            entries = s.sorted().toList();
        }
        assertEquals(2, entries.size(), "the packages' layer and the spec's");
        // each entry now leads to the other's record
        String first = Files.readString(entries.get(0));
        Files.writeString(entries.get(0), Files.readString(entries.get(1)));
        Files.writeString(entries.get(1), first);
        assertEquals(clean, build("swapped").digest());
        // a record edited in place: another diff_id
        Path record = blob(Digest.parse(Files.readString(entries.get(0)).trim()));
        List<String> lines = Files.readAllLines(record);
        lines.set(3, Digest.of("forged").toString() + " " + lines.get(3).split(" ")[1]);
        Files.write(record, lines);
        assertEquals(clean, build("edited").digest());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
