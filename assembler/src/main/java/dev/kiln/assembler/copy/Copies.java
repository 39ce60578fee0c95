package dev.kiln.assembler.copy;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.SliceContent;
import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.lock.CopyListing;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The local files and directories a spec copies into its image ({@code paths} entries of type
 * {@code file} or {@code directory} with a {@code source}), as inputs pinned by content: {@code
 * kiln lock} records the digest of each one's {@link CopyListing}; a build reads them again, puts
 * their files into the store as blobs and holds them to the lock; a rebuild ({@code kiln verify})
 * takes them from the store by those digests and never reads the local disk.
 */
public final class Copies {
    private Copies() {
    }

    /** Where a build takes the sources' content from. */
    public enum Origin {
        /** The local disk, held to the lock (a build). */
        DISK,
        /** The store, by the lock's digests (a rebuild from an image's own inputs). */
        STORE
    }

    /**
     * For the lock: each source held to {@code context}, then read and hashed, its listing kept in
     * the store (to explain later changes).
     */
    public static List<Lock.Copy> lock(ImageSpec spec, BuildContext context, ContentStore store) {
        Map<String, Path> onDisk = context.check(spec);
        List<Lock.Copy> out = new ArrayList<>();
        forEachCopy(spec, (entry, where) -> {
            CopyListing listing = reader(where).read(context.dir(), onDisk.get(entry.path()), kind(entry)).listing();
            store.put(listing.json());
            out.add(new Lock.Copy(entry.path(), entry.source().orElseThrow(), listing.digest(), listing.files(), listing.size()));
        });
        return out;
    }

    /**
     * For a build: each source held to {@code context} and read from disk, its files put into the store (only those it lacks,
     * each checked against the hash just taken, so a file that changes meanwhile is an error), by
     * destination path. What they hold is what the build lays in; {@link #reconcile} holds it to
     * the lock.
     */
    public static Map<String, Copy> load(ImageSpec spec, BuildContext context, ContentStore store) {
        Map<String, Path> onDisk = context.check(spec);
        Map<String, Copy> out = new LinkedHashMap<>();
        forEachCopy(spec, (entry, where) -> {
            CopyReader.Read read = reader(where).read(context.dir(), onDisk.get(entry.path()), kind(entry));
            Map<Digest, Content> contents = new HashMap<>();
            for (CopyListing.Item i : read.listing().entries()) {
                if (i.sha256() == null || contents.containsKey(i.sha256())) {
                    continue;
                }
                boolean there = store.contains(i.sha256());
                if (!there) {
                    Path file = read.files().get(i.path());
                    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                        store.put(in, i.sha256(), i.size());
                    } catch (StoreException | IOException e) {
                        throw where.error(where.source() + (i.path().equals(".") ? "" : "/" + i.path())
                                + " changed while kiln was reading it (" + e.getMessage() + ")", "build again");
                    }
                }
                // bytes put there just now were hashed on the way; those there before are checked when read
                Path blob = store.blobPath(i.sha256());
                contents.put(i.sha256(), there ? SliceContent.checked(blob, 0, i.size(), i.sha256(), where.source() + "/" + i.path())
                        : new SliceContent(blob, 0, i.size(), i.sha256()));
            }
            store.put(read.listing().json());
            out.put(entry.path(), new Copy(entry, read.listing(), contents));
        });
        return out;
    }

    /**
     * For a rebuild: each source the spec copies, from the store by the digest {@code lock} pins
     * (its listing, then each file). The caller has put them there, e.g. from the image itself.
     */
    public static Map<String, Copy> fromStore(ImageSpec spec, Lock lock, ContentStore store) {
        Map<String, Lock.Copy> pinned = new HashMap<>();
        lock.copies().forEach(s -> pinned.put(s.path(), s));
        Map<String, Copy> out = new LinkedHashMap<>();
        forEachCopy(spec, (entry, where) -> {
            Lock.Copy p = pinned.remove(entry.path());
            if (p == null || !p.source().equals(entry.source().orElseThrow())) {
                throw new ResolveException(ResolveException.Kind.LOCK_MISMATCH,
                        "the lock pins no content for " + where.source() + " (copied to " + entry.path()
                        + ")\n  fix: give the lock that was made from this spec");
            }
            CopyListing listing = CopyListing.parse(blob(store, p.sha256(), p, "its listing"), "the listing of " + p.source());
            if (listing.kind() != kind(entry)) {
                throw new ResolveException(ResolveException.Kind.LOCK_MISMATCH,
                        "the lock's " + p.source() + " is a " + listing.kind().name().toLowerCase(java.util.Locale.ROOT)
                        + ", the spec copies a " + entry.type().yamlName() + "\n  fix: give the lock that was made from this spec");
            }
            Map<Digest, Content> contents = new HashMap<>();
            for (CopyListing.Item i : listing.entries()) {
                if (i.sha256() != null && !contents.containsKey(i.sha256())) {
                    require(store, i.sha256(), p, i.path());
                    contents.put(i.sha256(), SliceContent.checked(store.blobPath(i.sha256()), 0, i.size(), i.sha256(),
                            p.source() + "/" + i.path()));
                }
            }
            out.put(entry.path(), new Copy(entry, listing, contents));
        });
        if (!pinned.isEmpty()) {
            throw new ResolveException(ResolveException.Kind.LOCK_MISMATCH,
                    "the lock pins " + pinned.keySet() + ", which the spec does not copy"
                    + "\n  fix: give the lock that was made from this spec");
        }
        return out;
    }

    /**
     * The lock a build uses, given the sources it read: {@code lock} when it pins exactly them;
     * otherwise, when {@code frozen}, an error naming each source and what changed in it; else
     * {@code lock} with the sources pinned anew (the packages are the spec's business, and the
     * spec did not change).
     */
    public static Lock reconcile(Lock lock, Map<String, Copy> loaded, Path specFile, Path lockFile, boolean frozen,
            ContentStore store) {
        List<Lock.Copy> now = loaded.values().stream().map(Copy::locked).toList();
        Lock updated = lock.withCopies(now);
        if (updated.copies().equals(lock.copies())) {
            return lock;
        }
        if (frozen) {
            StringBuilder m = new StringBuilder("the lock is frozen, but the local sources changed since " + lockFile
                    + " was made:");
            for (String line : changes(lock.copies(), updated.copies(), listings(store))) {
                m.append("\n  ").append(line);
            }
            m.append("\n  fix: resolve the spec again ('kiln lock ").append(specFile)
                    .append("') to pin what they hold now, or build without freezing the lock");
            throw new ResolveException(ResolveException.Kind.LOCK_STALE, m.toString());
        }
        return updated;
    }

    /** Listings by digest from the store, when it has them. */
    public static Function<Digest, Optional<CopyListing>> listings(ContentStore store) {
        return d -> {
            if (!store.contains(d)) {
                return Optional.empty();
            }
            try {
                return Optional.of(CopyListing.parse(store.read(d), d.toString()));
            } catch (RuntimeException unreadable) {
                return Optional.empty();
            }
        };
    }

    /**
     * How the pinned sources changed, diff-style: {@code - }/{@code + } a source, {@code ~ } a source
     * whose content changed, followed by what changed inside it when both listings are known.
     */
    public static List<String> changes(List<Lock.Copy> old, List<Lock.Copy> now,
            Function<Digest, Optional<CopyListing>> listings) {
        Map<String, Lock.Copy> a = new TreeMap<>();
        old.forEach(s -> a.put(s.path(), s));
        Map<String, Lock.Copy> b = new TreeMap<>();
        now.forEach(s -> b.put(s.path(), s));
        TreeMap<String, List<String>> out = new TreeMap<>();
        a.forEach((path, was) -> {
            Lock.Copy is = b.get(path);
            if (is == null) {
                out.put(path, List.of("- source " + path + " from " + was.source()));
            } else if (is.sha256().equals(was.sha256()) && !is.source().equals(was.source())) {
                out.put(path, List.of("~ source " + path + " from " + is.source() + " (was " + was.source() + "), the same content"));
            } else if (!is.equals(was)) {
                List<String> lines = new ArrayList<>();
                lines.add("~ source " + path + " from " + is.source() + ": its content changed (" + summary(was) + " -> " + summary(is) + ")");
                Optional<CopyListing> before = listings.apply(was.sha256());
                Optional<CopyListing> after = listings.apply(is.sha256());
                if (before.isPresent() && after.isPresent()) {
                    before.get().changesTo(after.get()).forEach(l -> lines.add("    " + l));
                }
                out.put(path, lines);
            }
        });
        b.forEach((path, is) -> {
            if (!a.containsKey(path)) {
                out.put(path, List.of("+ source " + path + " from " + is.source() + " (" + summary(is) + ")"));
            }
        });
        List<String> flat = new ArrayList<>();
        out.values().forEach(flat::addAll);
        return flat;
    }

    private static String summary(Lock.Copy s) {
        return s.files() + (s.files() == 1 ? " file, " : " files, ") + s.size() + " bytes, " + s.sha256().shortHex();
    }

    private static byte[] blob(ContentStore store, Digest d, Lock.Copy s, String what) {
        require(store, d, s, what);
        return store.read(d);
    }

    private static void require(ContentStore store, Digest d, Lock.Copy s, String what) {
        if (!store.contains(d)) {
            throw new AssembleException(StoreException.Kind.MISSING, "the store has no " + d + " (" + what + " of "
                    + s.source() + ", copied to " + s.path() + ")\n  fix: take the local sources from the image being checked,"
                    + " or use the store that built it");
        }
    }

    private interface CopyStep {
        void accept(ImageSpec.PathEntry entry, CopyReader.Where where);
    }

    private static void forEachCopy(ImageSpec spec, CopyStep step) {
        for (int i = 0; i < spec.paths().size(); i++) {
            ImageSpec.PathEntry p = spec.paths().get(i);
            if (p.copiesSource()) {
                step.accept(p, BuildContext.where(spec, i));
            }
        }
    }

    private static CopyReader reader(CopyReader.Where where) {
        return new CopyReader(where);
    }

    private static CopyListing.Kind kind(ImageSpec.PathEntry entry) {
        return entry.type() == ImageSpec.PathType.FILE ? CopyListing.Kind.FILE : CopyListing.Kind.DIRECTORY;
    }
}
