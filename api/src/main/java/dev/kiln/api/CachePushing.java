package dev.kiln.api;

import dev.kiln.assembler.cache.BuildUses;
import dev.kiln.cache.CacheException;
import dev.kiln.cache.RegistryStore;
import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.IoErrors;
import dev.kiln.store.RemoteStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes what a store already holds for image locks to the session's shared cache: each
 * package's blob, unpacked copy and control file, and the layers the newest build from each
 * lock's bytes recorded (build-uses), every entry signed with the push key.
 */
final class CachePushing {
    private CachePushing() {
    }

    static CachePushResult push(Session s, List<Path> lockFiles) {
        RegistryStore cache = s.cache().orElseThrow(() -> new IllegalStateException(
                "this Kiln has no shared cache: name one with Kiln.builder().cache(SharedCache.of(REPO).pushingWith(KEY))"));
        if (!cache.pushes()) {
            throw new IllegalStateException("the shared cache has no push key: give one with SharedCache.pushingWith(KEY)");
        }
        ContentStore store = s.store();
        List<RemoteStore.Made> made = new ArrayList<>();
        List<Digest> blobs = new ArrayList<>();
        for (Path file : lockFiles) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new ResolveException(ResolveException.Kind.LOCK_INVALID, "cannot read the lockfile " + file + ": "
                        + IoErrors.why(e) + "\n  fix: name an image's lock file (NAME.lock.json beside its spec)");
            }
            Lock lock = LockJson.read(bytes, file.toString());
            made.addAll(BuildUses.shareable(store, bytes, lock));
            lock.allPackages().forEach(p -> blobs.add(p.sha256()));
        }
        RegistryStore.Pushed pushed = cache.push(store, made, blobs);
        if (pushed.failure().isPresent()) {
            throw new CacheException(CacheException.Kind.PUSH_FAILED, "could not publish the store's contents to the cache after "
                    + pushed.entries() + " entries and " + pushed.blobs() + " blobs: " + pushed.failure().get()
                    + "\n  fix: check that the registry is up and that the credentials given may push to the repository, then run it again"
                    + " (what was sent is not sent twice)");
        }
        return new CachePushResult(lockFiles.size(), pushed.entries(), pushed.blobs(), pushed.bytes());
    }
}
