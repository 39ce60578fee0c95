package dev.kiln.assembler.cache;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.assembler.deb.UnpackLimits;
import dev.kiln.oci.LayerDigests;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import dev.kiln.store.RemoteStore;
import dev.kiln.store.StoreException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a build from a lock used, recorded in the store so that gc keeps it while the lock is a
 * root: a lock cannot name its layers (their key is a tree's digest and the epoch), so the build
 * names them. The record is a blob, {@code kiln-build-uses-1}, then {@code lock <sha256 of the
 * lock's bytes>}, then one line per memo entry, {@code <step> <key> <record>}, sorted; a memo
 * record of step {@link #STEP} keyed by the lock's digest leads to it. The newest build from a
 * lock's bytes replaces what an earlier one recorded.
 *
 * <p>Only gc reads it, and only to keep: no build skips work because of it. It keeps an entry only
 * when the record hashes to its name and names the lock whose bytes gc reads, the memo still leads
 * from the entry's key to the entry's record, that record hashes to its name and names its key
 * (a layer) or one of the lock's packages (an unpacked .deb). A forged entry keeps nothing else.
 */
public final class BuildUses {
    /** The memo step; keyed by the sha256 of the lock's bytes. */
    public static final MemoStep STEP = MemoStep.BUILD_USES;
    private static final String HEADER = "kiln-build-uses-1";
    /** Larger than any record kiln writes (a uses record of a thousand packages is some 300 KiB). */
    private static final long MAX_RECORD_BYTES = 16L << 20;

    private BuildUses() {
    }

    /** Records that a build from the lock whose bytes are {@code lockBytes} used {@code uses}. */
    public static void record(ContentStore store, byte[] lockBytes, Collection<MemoUse> uses) {
        Digest lock = Digest.of(lockBytes);
        Set<String> lines = new TreeSet<>();
        for (MemoUse u : uses) {
            lines.add(u.step().id() + " " + u.key() + " " + u.record());
        }
        StringBuilder text = new StringBuilder(HEADER + "\nlock " + lock + "\n");
        lines.forEach(l -> text.append(l).append('\n'));
        store.putMemo(STEP, key(lock), store.put(text.toString().getBytes(UTF_8)));
    }

    private static Digest key(Digest lock) {
        return Digest.of(STEP.id() + "\n" + lock.hex());
    }

    /**
     * The blobs gc keeps for the lock {@code lock} whose bytes are {@code lockBytes}: its packages'
     * unpacked copies (under the default limits, found from the lock alone) and every record, layer
     * and unpacked copy the newest build from these bytes recorded, with the record itself. Reads
     * without removing anything, so that a dry run counts what gc then does.
     */
    public static Set<Digest> kept(ContentStore store, byte[] lockBytes, Lock lock) {
        Set<Digest> debs = new HashSet<>();
        lock.archs().keySet().forEach(arch -> lock.packages(arch).forEach(p -> debs.add(p.sha256())));
        Set<Digest> out = new HashSet<>();
        for (Digest deb : debs) {
            Digest key = UnpackCache.key(deb, UnpackLimits.DEFAULT);
            store.localMemo(UnpackCache.STEP, key).ifPresent(record -> keepUnpacked(store, record, debs, out));
        }
        Digest lockDigest = Digest.of(lockBytes);
        Optional<Digest> usesRecord = store.localMemo(STEP, key(lockDigest));
        Optional<List<String>> entries = usesRecord.flatMap(d -> whole(store, d)).flatMap(b -> entries(b, lockDigest));
        if (entries.isEmpty()) {
            return out;
        }
        out.add(usesRecord.get());
        for (String line : entries.get()) {
            String[] f = line.split(" ");
            Digest key = Digest.parse(f[1]);
            Digest record = Digest.parse(f[2]);
            if (f[0].equals(UnpackCache.STEP.id())) {
                if (store.localMemo(UnpackCache.STEP, key).equals(Optional.of(record))) {
                    keepUnpacked(store, record, debs, out);
                }
            } else if (f[0].equals(LayerCache.STEP.id())) {
                if (store.localMemo(LayerCache.STEP, key).equals(Optional.of(record))) {
                    Optional<LayerDigests> layer = whole(store, record).flatMap(b -> LayerCache.parseRecord(b, key));
                    if (layer.isPresent() && store.contains(layer.get().compressed())) {
                        out.add(record);
                        out.add(layer.get().compressed());
                    }
                }
            }
        }
        return out;
    }

    /**
     * What a shared cache is sent for the lock whose bytes are {@code lockBytes}: each package's
     * unpacked copy (default limits) with its blob and .deb, each package's control file, and each
     * layer the newest build from these bytes recorded, with its compressed blob; only what this
     * store holds whole. Nothing here asks a remote store.
     */
    public static List<RemoteStore.Made> shareable(ContentStore store, byte[] lockBytes, Lock lock) {
        Set<Digest> debs = new java.util.TreeSet<>(java.util.Comparator.comparing(Digest::hex));
        lock.archs().keySet().forEach(arch -> lock.packages(arch).forEach(p -> debs.add(p.sha256())));
        List<RemoteStore.Made> out = new java.util.ArrayList<>();
        for (Digest deb : debs) {
            Digest key = UnpackCache.key(deb, UnpackLimits.DEFAULT);
            store.localMemo(UnpackCache.STEP, key).ifPresent(record -> whole(store, record).flatMap(UnpackCache::parseRecord)
                    .filter(r -> r.deb().equals(deb) && store.contains(r.blob()) && store.contains(deb))
                    .ifPresent(r -> out.add(new RemoteStore.Made(UnpackCache.STEP, key, record, store.contains(r.index())
                            ? List.of(r.blob(), deb, r.index()) : List.of(r.blob(), deb)))));
            Digest control = ControlCache.key(deb);
            store.localMemo(ControlCache.STEP, control).filter(store::contains)
                    .ifPresent(record -> out.add(new RemoteStore.Made(ControlCache.STEP, control, record, List.of())));
        }
        Digest lockDigest = Digest.of(lockBytes);
        Optional<List<String>> entries = store.localMemo(STEP, key(lockDigest)).flatMap(d -> whole(store, d))
                .flatMap(b -> entries(b, lockDigest));
        for (String line : entries.orElse(List.of())) {
            String[] f = line.split(" ");
            Digest key = Digest.parse(f[1]);
            Digest record = Digest.parse(f[2]);
            if (f[0].equals(LayerCache.STEP.id()) && store.localMemo(LayerCache.STEP, key).equals(Optional.of(record))) {
                whole(store, record).flatMap(b -> LayerCache.parseRecord(b, key)).filter(l -> store.contains(l.compressed()))
                        .ifPresent(l -> out.add(new RemoteStore.Made(LayerCache.STEP, key, record, List.of(l.compressed()))));
            }
        }
        return out;
    }

    /** The entry lines of a uses record for {@code lock}, if the record has its form; a malformed one keeps nothing. */
    private static Optional<List<String>> entries(byte[] bytes, Digest lock) {
        List<String> lines = List.of(new String(bytes, UTF_8).split("\n"));
        if (lines.size() < 2 || !lines.get(0).equals(HEADER) || !lines.get(1).equals("lock " + lock)) {
            return Optional.empty();
        }
        List<String> entries = lines.subList(2, lines.size());
        for (String line : entries) {
            String[] f = line.split(" ");
            if (f.length != 3 || !(f[0].equals(UnpackCache.STEP.id()) || f[0].equals(LayerCache.STEP.id()))) {
                return Optional.empty();
            }
            try {
                Digest.parse(f[1]);
                Digest.parse(f[2]);
            } catch (IllegalArgumentException malformed) {
                return Optional.empty();
            }
        }
        return Optional.of(entries);
    }

    /**
     * Keeps an unpack record, its blob and its index blob when the record is whole and was written
     * for one of {@code debs}, and the store holds its blob or its index (the blob left in a shared
     * cache until read).
     */
    private static void keepUnpacked(ContentStore store, Digest record, Set<Digest> debs, Set<Digest> out) {
        Optional<UnpackCache.Record> r = whole(store, record).flatMap(UnpackCache::parseRecord);
        if (r.isPresent() && debs.contains(r.get().deb()) && (store.contains(r.get().blob()) || store.contains(r.get().index()))) {
            out.add(record);
            out.add(r.get().blob());
            out.add(r.get().index());
        }
    }

    /**
     * A small blob's bytes if they hash to its name. Unlike {@link ContentStore#readChecked} it
     * removes nothing: gc, and its dry run, only read while they decide.
     */
    private static Optional<byte[]> whole(ContentStore store, Digest d) {
        try {
            if (!store.contains(d) || java.nio.file.Files.size(store.blobPath(d)) > MAX_RECORD_BYTES) {
                return Optional.empty(); // a record naming a large blob (an unpacked package) is forged
            }
            byte[] bytes = store.read(d);
            return Digest.of(bytes).equals(d) ? Optional.of(bytes) : Optional.empty();
        } catch (StoreException | java.io.IOException gone) {
            return Optional.empty();
        }
    }
}
