package dev.kiln.resolver.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.fetcher.HttpTransport;
import dev.kiln.fetcher.testing.TestKey;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.resolver.lock.LockRoots;
import dev.kiln.resolver.lock.Resolver;
import dev.kiln.resolver.solve.Request;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.StoreGc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A lockfile as a gc root keeps its indexes warm, and only they survive. */
class LockRootsGcTest {
    private static final TestKey KEY = TestKey.generate("Fixture <gc@fixture.test>");

    @Test
    void gcKeepsWhatARegisteredLockNeedsToReLockWithoutFetchingIndexes(@TempDir Path tmp) throws IOException {
        Instant now = Instant.now();
        try (FixtureRepository repo = new FixtureRepository(KEY); HttpTransport http = HttpTransport.withDefaults();
             ContentStore store = ContentStore.open(tmp.resolve("store"))) {
            repo.date = now.minus(Duration.ofDays(1));
            repo.publish();
            Resolver r = new Resolver(http, store, KEY.keyring(), Map.of("DEBIAN_MIRROR", repo.url()), now);
            Resolver.LockRequest req = new Resolver.LockRequest("s.yaml", Digest.of("s"), tmp,
                    List.of(SourceLine.parse("deb ${DEBIAN_MIRROR} stable main")), List.of(Request.of("hello")),
                    List.of("amd64"), SolveOptions.DEFAULT);
            Lock lock = r.lock(req);
            Path lockFile = tmp.resolve("s.lock.json");
            Files.write(lockFile, LockJson.write(lock));
            store.addRoot(lockFile);
            Digest stray = store.put("not referenced by anything".getBytes());

            StoreGc.Result result = new StoreGc(store).withRootReader(new LockRoots(store)).gc(List.of());

            assertTrue(result.blobsDeleted() >= 1, result.render().toString());
            assertTrue(!store.contains(stray));
            assertTrue(store.contains(lock.repositories().get(0).release()));
            int before = repo.requests.get();
            Resolver.LockRequest other = new Resolver.LockRequest("t.yaml", Digest.of("t"), tmp, req.repositories(),
                    List.of(Request.of("libc-fixture")), List.of("amd64"), SolveOptions.DEFAULT);
            assertEquals(1, r.lock(other).packages("amd64").size());
            assertEquals(1, repo.requests.get() - before, "after gc only InRelease is fetched: the indexes stayed");
        }
    }

    @Test
    void gcKeepsTheListingOfEachLocalSourceAndTheFilesItNames(@TempDir Path tmp) throws IOException {
        try (ContentStore store = ContentStore.open(tmp.resolve("store"))) {
            Digest index = store.put("<h1>hello</h1>\n".getBytes());
            var listing = new dev.kiln.resolver.lock.CopyListing(dev.kiln.resolver.lock.CopyListing.Kind.DIRECTORY,
                    List.of(dev.kiln.resolver.lock.CopyListing.Item.file("index.html", 0644, 15, index)));
            Digest listed = store.put(listing.json());
            Digest oldFile = store.put("<h1>old</h1>\n".getBytes());
            Lock lock = new Lock(Lock.VERSION, new Lock.Spec("s.yaml", Digest.of("s")), List.of(),
                    new Lock.Options(java.util.Set.of(), Map.of(), false), new java.util.TreeMap<>())
                    .withCopies(List.of(new Lock.Copy("/app", "./app", listed, 1, 15)));
            Path lockFile = tmp.resolve("s.lock.json");
            Files.write(lockFile, LockJson.write(lock));
            store.addRoot(lockFile);

            new StoreGc(store).withRootReader(new LockRoots(store)).gc(List.of());

            assertTrue(store.contains(listed), "the listing");
            assertTrue(store.contains(index), "the file it names");
            assertTrue(!store.contains(oldFile), "a file no listing names");
        }
    }
}
