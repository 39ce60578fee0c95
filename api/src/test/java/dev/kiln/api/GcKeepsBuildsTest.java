package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.testing.TinyRepository;
import dev.kiln.assembler.cache.BuildRoots;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import dev.kiln.store.StoreGc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc keeps what builds from a live lock used: after it, a build from that lock unpacks and
 * compresses nothing and gives the same image. A lock that is no longer a root (gone, or other
 * bytes) loses its layers; dropping every memo leaves no record and the next build is cold but
 * alike; a damaged or forged record of what a build used keeps nothing it does not prove.
 */
class GcKeepsBuildsTest {
    @TempDir
    static Path shared;
    static TinyRepository repo;

    @TempDir
    Path tmp;
    Path spec;
    Path lockFile;
    Path store;

    @BeforeAll
    static void packages() throws Exception {
        repo = TinyRepository.make(shared);
    }

    @BeforeEach
    void specAndStore() throws IOException {
        spec = repo.spec(tmp, "tiny", "paths:\n  - path: /srv\n    type: directory\n");
        lockFile = LockRequest.besideSpec(spec);
        store = repo.seed(tmp.resolve("store"));
    }

    /** A build's digest and what it took from the memo and made, by step. */
    record Build(String digest, Map<String, StoreEvent.MemoUsed> memo) {
        int made() {
            return memo.values().stream().mapToInt(StoreEvent.MemoUsed::made).sum();
        }
    }

    private int builds;

    private Build build() {
        Map<String, StoreEvent.MemoUsed> memo = new TreeMap<>();
        try (Kiln kiln = TinyRepository.builder(store).addEventHandler(StoreEvent.MemoUsed.class, m -> memo.put(m.step(), m)).open()) {
            String digest = kiln.build(BuildRequest.of(Spec.load(spec)).to(Target.layout(tmp.resolve("out" + builds++)))).digest();
            return new Build(digest, memo);
        }
    }

    private StoreGc.Result gc(StoreGc.Memos memos, boolean dryRun) {
        try (ContentStore s = ContentStore.open(store)) {
            return new StoreGc(s).withRootReader(new BuildRoots(s)).withMemos(memos).withDryRun(dryRun).gc(List.of());
        }
    }

    private List<Path> records(MemoStep step) throws IOException {
        Path dir = store.resolve("memo").resolve(step.id());
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private Path usesRecord() throws IOException {
        Digest lock = Digest.of(Files.readAllBytes(lockFile));
        return store.resolve("memo").resolve(MemoStep.BUILD_USES.id()).resolve(Digest.of(MemoStep.BUILD_USES.id() + "\n" + lock.hex()).hex());
    }

    private Digest put(String text) {
        try (ContentStore s = ContentStore.open(store)) {
            return s.put(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private boolean has(Digest d) {
        return Files.isRegularFile(store.resolve("blobs/sha256").resolve(d.hex()));
    }

    @Test
    void aBuildFromALiveLockAfterGcUnpacksAndCompressesNothing() {
        Build cold = build();
        assertEquals(1, cold.memo().get("unpack").made());
        assertEquals(2, cold.memo().get("layer").made(), "the packages layer, the spec and lock layer");
        Digest stray = put("no root reaches this");

        StoreGc.Result r = gc(StoreGc.Memos.KEEP_REACHED, false);

        assertFalse(has(stray), r.render().toString());
        Build warm = build();
        assertEquals(0, warm.made(), warm.memo().toString());
        assertEquals(1, warm.memo().get("unpack").reused());
        assertEquals(2, warm.memo().get("layer").reused());
        assertEquals(cold.digest(), warm.digest());
    }

    @Test
    void aLockWhoseFileIsGoneLosesWhatItsBuildsMade() throws IOException {
        build();
        assertFalse(records(MemoStep.LAYER).isEmpty());
        Files.delete(lockFile);

        StoreGc.Result r = gc(StoreGc.Memos.KEEP_REACHED, false);

        assertEquals(List.of(lockFile.toAbsolutePath()), r.droppedRoots());
        assertEquals(List.of(), records(MemoStep.LAYER));
        assertEquals(List.of(), records(MemoStep.DEB_UNPACK));
        assertEquals(List.of(), records(MemoStep.BUILD_USES));
    }

    @Test
    void aLockWithOtherBytesKeepsItsUnpackedPackagesButNotItsLayers() throws IOException {
        Build cold = build();
        Files.writeString(lockFile, Files.readString(lockFile) + "\n"); // the same lock, other bytes

        gc(StoreGc.Memos.KEEP_REACHED, false);

        assertEquals(List.of(), records(MemoStep.LAYER), "the build's record named other lock bytes");
        Build again = build();
        assertEquals(0, again.memo().get("unpack").made(), "unpacked packages are kept from the lock alone");
        assertEquals(2, again.memo().get("layer").made());
        assertEquals(cold.digest(), again.digest());
    }

    @Test
    void droppingEveryMemoLeavesNoRecordAndTheNextBuildIsColdButAlike() throws IOException {
        Build first = build();

        gc(StoreGc.Memos.DROP_ALL, false);

        for (MemoStep step : MemoStep.values()) {
            assertEquals(List.of(), records(step), step.id());
        }
        Build cold = build();
        assertEquals(1, cold.memo().get("unpack").made());
        assertEquals(2, cold.memo().get("layer").made());
        assertEquals(first.digest(), cold.digest());
    }

    @Test
    void aDamagedUsesRecordKeepsNoLayer() throws IOException {
        Build first = build();
        Digest uses = Digest.parse(Files.readString(usesRecord()).trim());
        Path blob = store.resolve("blobs/sha256").resolve(uses.hex());
        Files.writeString(blob, Files.readString(blob).replace("layer-v3", "layer-v3 ")); // no longer its name's bytes

        gc(StoreGc.Memos.KEEP_REACHED, false);

        assertEquals(List.of(), records(MemoStep.LAYER));
        assertFalse(has(uses));
        Build again = build();
        assertEquals(2, again.memo().get("layer").made());
        assertEquals(first.digest(), again.digest());
    }

    @Test
    void aForgedUsesRecordKeepsOnlyWhatTheMemoProves() throws IOException {
        Build first = build();
        Digest lock = Digest.of(Files.readAllBytes(lockFile));
        Digest stray = put("a blob someone wants kept");
        Path layerRecord = records(MemoStep.LAYER).get(0);
        Digest layerKey = new Digest(layerRecord.getFileName().toString());
        // whole (it hashes to its name) and naming the lock, but its entries lead nowhere the memo does
        Digest forged = put("kiln-build-uses-1\nlock " + lock + "\n"
                + "deb-unpack-v2 " + Digest.of("another key") + " " + stray + "\n"
                + "layer-v3 " + layerKey + " " + stray + "\n");
        Files.writeString(usesRecord(), forged + "\n");

        gc(StoreGc.Memos.KEEP_REACHED, false);

        assertFalse(has(stray));
        assertEquals(List.of(), records(MemoStep.LAYER), "the forged record replaced the true one: no layer is proven");
        assertEquals(1, records(MemoStep.DEB_UNPACK).size(), "kept from the lock alone");
        Build again = build();
        assertEquals(0, again.memo().get("unpack").made());
        assertEquals(first.digest(), again.digest());
    }

    @Test
    void aDryRunReportsWhatGcThenDoes() throws IOException {
        build();
        put("stray");
        Digest uses = Digest.parse(Files.readString(usesRecord()).trim());
        Files.writeString(store.resolve("blobs/sha256").resolve(uses.hex()), "damaged");
        for (StoreGc.Memos memos : StoreGc.Memos.values()) {
            StoreGc.Result dry = gc(memos, true);
            StoreGc.Result real = gc(memos, false);
            assertEquals(dry.render().stream().map(l -> l.replace("would delete", "deleted")).toList(), real.render(), memos.name());
            assertEquals(dry.memoRecordsDeleted(), real.memoRecordsDeleted());
        }
    }
}
