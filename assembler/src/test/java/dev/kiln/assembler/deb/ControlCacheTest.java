package dev.kiln.assembler.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.cache.ControlCache;
import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A locked package's control stanza, read from its .deb once and from the memo after, always held to the lock entry. */
class ControlCacheTest {
    @TempDir
    Path dir;

    private static Lock.Package entry(String name, String version, Digest sha256, long size) {
        return new Lock.Package(name, version, "amd64", name, "pool/main/k/" + name + ".deb", size, sha256, 0);
    }

    private static List<Path> records(ContentStore store) throws IOException {
        try (Stream<Path> s = Files.list(store.root().resolve("memo").resolve(ControlCache.STEP.id()))) {
            return s.toList();
        }
    }

    @Test
    void theStanzaIsReadOnceAndThenFromTheMemo() throws IOException {
        byte[] deb = DebFixture.deb(DebFixture.tar(t -> t.dir("./", 0755, 0, 0, 1_700_000_000L)));
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            Digest d = store.put(deb);
            Lock.Package pinned = entry("kiln-fixture", "1:2.3.4-5+deb12u1", d, deb.length);
            PackageRecord first = new ControlCache(store).stanza(pinned);
            assertEquals("libc6 (>= 2.34), libcap2-bin", first.depends());
            assertEquals(1, records(store).size());

            // the .deb gone, the memo answers alone
            Files.delete(store.blobPath(d));
            assertEquals(first, new ControlCache(store).stanza(pinned));
        }
    }

    @Test
    void aLockEntryThatNamesAnotherPackageIsRefusedEvenFromTheMemo() {
        byte[] deb = DebFixture.deb(DebFixture.tar(t -> t.dir("./", 0755, 0, 0, 1_700_000_000L)));
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            Digest d = store.put(deb);
            new ControlCache(store).stanza(entry("kiln-fixture", "1:2.3.4-5+deb12u1", d, deb.length));
            PackageMismatchException e = assertThrows(PackageMismatchException.class,
                    () -> new ControlCache(store).stanza(entry("openssl", "3.0.0-1", d, deb.length)));
            assertEquals("assemble.package-mismatch", e.code());
            assertTrue(e.getMessage().contains("but that .deb is kiln-fixture 1:2.3.4-5+deb12u1 (amd64)"), e.getMessage());
        }
    }

    @Test
    void gcKeepsTheControlRecordsOfALiveLocksPackagesOnly() throws IOException {
        byte[] deb = DebFixture.deb(DebFixture.tar(t -> t.dir("./", 0755, 0, 0, 1_700_000_000L)));
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            Digest d = store.put(deb);
            Lock.Package pinned = entry("kiln-fixture", "1:2.3.4-5+deb12u1", d, deb.length);
            PackageRecord read = new ControlCache(store).stanza(pinned);
            Lock lock = new Lock(Lock.VERSION, new Lock.Spec("fixture.yaml", Digest.of("spec")),
                    List.of(new Lock.Repository("deb http://mirror.example/debian stable main", Digest.of("release"),
                            java.time.Instant.parse("2025-10-20T10:00:00Z"), java.util.Optional.empty(), List.of())),
                    new Lock.Options(java.util.Set.of(), java.util.Map.of(), false),
                    new java.util.TreeMap<>(java.util.Map.of("amd64", List.of(pinned))));
            Path lockFile = Files.write(dir.resolve("fixture.lock.json"), dev.kiln.resolver.lock.LockJson.write(lock));
            store.addRoot(lockFile);

            new dev.kiln.store.StoreGc(store).withRootReader(new dev.kiln.assembler.cache.BuildRoots(store)).gc(List.of());
            assertEquals(1, records(store).size(), "a live lock keeps its packages' control records");
            Files.delete(store.blobPath(d));
            assertEquals(read, new ControlCache(store).stanza(pinned), "and their bytes");

            Files.delete(lockFile);
            new dev.kiln.store.StoreGc(store).withRootReader(new dev.kiln.assembler.cache.BuildRoots(store)).gc(List.of());
            assertEquals(0, records(store).size(), "a lock gone takes them with it");
        }
    }
}
