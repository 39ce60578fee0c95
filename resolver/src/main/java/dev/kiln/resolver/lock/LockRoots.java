package dev.kiln.resolver.lock;

import dev.kiln.resolver.debian.Release;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import dev.kiln.store.RootReader;
import dev.kiln.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a lockfile keeps alive in the store: its packages and Releases, and also the indexes those
 * Releases list with their parsed forms, so that re-locking a spec after {@code kiln store gc}
 * stays warm; and the listing of each local source with the files it names. Files that are not
 * lockfiles fall back to the format-blind scan.
 */
public final class LockRoots implements RootReader {

    private final ContentStore store;

    public LockRoots(ContentStore store) {
        this.store = store;
    }

    @Override
    public Set<Digest> references(Path file) {
        return references(file, true);
    }

    /**
     * What the lockfile names itself: its packages, Releases, the index files they list, its
     * listings and their files; not the parsed indexes, nor its own bytes (a memoized solve).
     */
    @Override
    public Set<Digest> ownReferences(Path file) {
        return references(file, false);
    }

    private Set<Digest> references(Path file, boolean memos) {
        Set<Digest> out = new HashSet<>(RootReader.scanning().references(file));
        if (Files.isDirectory(file)) {
            return out;
        }
        Lock lock;
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (!memos) {
                out.remove(Digest.of(bytes));
            }
            lock = LockJson.read(bytes, file.toString());
        } catch (IOException e) {
            throw new StoreException("cannot read root " + file + ": " + dev.kiln.store.IoErrors.why(e), e);
        } catch (RuntimeException notALock) {
            return out;
        }
        for (Lock.Copy s : lock.copies()) {
            if (!store.contains(s.sha256())) {
                continue;
            }
            out.add(s.sha256());
            try {
                for (CopyListing.Item i : CopyListing.parse(store.read(s.sha256()), s.path()).entries()) {
                    if (i.sha256() != null && store.contains(i.sha256())) {
                        out.add(i.sha256());
                    }
                }
            } catch (RuntimeException unreadable) {
                // the listing's own digest is kept; its files are read again from the source
            }
        }
        for (Lock.Repository r : lock.repositories()) {
            if (!store.contains(r.release())) {
                continue;
            }
            Release release;
            try {
                release = Release.parse(inner(store.read(r.release())), r.line());
            } catch (RuntimeException unreadable) {
                continue;
            }
            for (Release.FileEntry e : release.sha256().values()) {
                if (store.contains(e.sha256())) {
                    out.add(e.sha256());
                    if (memos) {
                        Optional<Digest> parsed = store.memo(MemoStep.DEBIAN_INDEX, e.sha256());
                        parsed.ifPresent(out::add);
                    }
                }
            }
        }
        return out;
    }

    /** The Release text inside a clearsigned InRelease (already verified when it was stored). */
    private static byte[] inner(byte[] raw) {
        String s = new String(raw, java.nio.charset.StandardCharsets.UTF_8);
        int start = s.indexOf("\n\n");
        int end = s.indexOf("\n-----BEGIN PGP SIGNATURE-----");
        if (s.startsWith("-----BEGIN PGP SIGNED MESSAGE-----") && start > 0 && end > start) {
            return s.substring(start + 2, end).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return raw;
    }
}
