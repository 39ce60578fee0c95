package dev.kiln.assembler.cache;

import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.resolver.lock.LockRoots;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.IoErrors;
import dev.kiln.store.RootReader;
import dev.kiln.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * What gc keeps for a root: what {@link LockRoots} keeps (a lock's packages, Releases, indexes and
 * listings, and the parsed indexes), and for a lockfile also what builds from it made of its
 * packages ({@link BuildUses}): the unpacked packages and the layers, so that a build from a live
 * lock after gc stays warm; and its packages' control records ({@link ControlCache}), for kiln why. Dropping every memo keeps only what the lock names itself.
 */
public final class BuildRoots implements RootReader {
    private final ContentStore store;
    private final LockRoots locks;

    public BuildRoots(ContentStore store) {
        this.store = store;
        this.locks = new LockRoots(store);
    }

    @Override
    public Set<Digest> references(Path file) {
        Set<Digest> out = new HashSet<>(locks.references(file));
        if (Files.isDirectory(file)) {
            return out;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new StoreException("cannot read root " + file + ": " + IoErrors.why(e), e);
        }
        Lock lock;
        try {
            lock = LockJson.read(bytes, file.toString());
        } catch (RuntimeException notALock) {
            return out;
        }
        out.addAll(BuildUses.kept(store, bytes, lock));
        out.addAll(ControlCache.kept(store, lock));
        return out;
    }

    @Override
    public Set<Digest> ownReferences(Path file) {
        return locks.ownReferences(file);
    }
}
