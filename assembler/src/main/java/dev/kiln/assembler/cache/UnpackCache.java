package dev.kiln.assembler.cache;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.deb.DebReader;
import dev.kiln.assembler.deb.PackageMismatchException;
import dev.kiln.assembler.deb.UnpackLimits;
import dev.kiln.assembler.tree.ByteString;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.ContentSink;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.SliceContent;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import dev.kiln.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Unpacks .deb files into the store once, as a memo step: each package's files become one blob
 * (their bytes one after another, then an index of the entries), and the package read back from
 * that blob holds only the index in memory; its files' bytes are {@link SliceContent}s of the blob.
 * A second build, or another image with the same package, skips the decompression entirely.
 *
 * <p>The blob: {@code kiln-unpacked-1\n}, the data files' bytes in archive order, the index, and
 * the index's offset as 8 bytes big-endian. The index holds the control fields and members, every
 * entry (path, type, mode, owner, mtime, link target, xattrs, and for a file its offset, size and
 * sha256) and the skipped entries. The memo key is the .deb's sha256 and the {@link UnpackLimits}:
 * what was refused under one set of limits is never served from the memo under another.
 *
 * <p>The index is also kept as a blob of its own (the record names its sha256), which a shared
 * cache's entry lists with the record: a reader takes the record and the index and leaves the
 * unpacked blob in the cache until a file's bytes are read, then fetches it (held to its digest as
 * it streams) or, if the cache has it no more, unpacks the .deb here, which gives the same blob.
 */
public final class UnpackCache {
    /** The memo step; its name changes with the blob format. */
    public static final MemoStep STEP = MemoStep.DEB_UNPACK;
    private static final byte[] MAGIC = "kiln-unpacked-1\n".getBytes(UTF_8);
    private static final String RECORD = "kiln-unpack-record-1";

    private final ContentStore store;
    private final UnpackLimits limits;
    private final java.util.Queue<MemoUse> uses = new java.util.concurrent.ConcurrentLinkedQueue<>();

    public UnpackCache(ContentStore store, UnpackLimits limits) {
        this.store = store;
        this.limits = limits;
    }

    /**
     * The package a lock pins, whose .deb (already hashed against the lock in the store) is
     * unpacked, or found unpacked in the memo. Its control data must say what the lock says
     * (Package, Version, Architecture): a memo record that leads to another package's files is
     * redone, and a .deb that is another package than its lock entry names (a relabelled entry)
     * is an {@link AssembleException} before anything is made of it.
     */
    public DebPackage unpack(Lock.Package expected) {
        String name = expected.name() + " " + expected.version();
        Optional<Found> remembered = remembered(expected.sha256(), name).filter(f -> disagreement(f.pkg(), expected) == null);
        if (remembered.isPresent()) {
            return used(remembered.get());
        }
        DebPackage pkg = unpackNow(expected.sha256(), name);
        String wrong = disagreement(pkg, expected);
        if (wrong != null) {
            throw PackageMismatchException.againstLock(expected.name(), expected.version(), expected.architecture(),
                    expected.sha256(), wrong);
        }
        return pkg;
    }

    /** What {@code pkg}'s control data says where it differs from {@code expected}, or null when it agrees. */
    private static String disagreement(DebPackage pkg, Lock.Package expected) {
        String name = pkg.field("Package").orElse("");
        String version = pkg.field("Version").orElse("");
        String arch = pkg.field("Architecture").orElse("");
        if (name.equals(expected.name()) && version.equals(expected.version()) && arch.equals(expected.architecture())) {
            return null;
        }
        return name + " " + version + " (" + arch + ")";
    }

    /**
     * The package whose .deb has digest {@code deb} (already verified in the store), from the memo if
     * it was unpacked before, else unpacked now and recorded.
     */
    public DebPackage unpack(Digest deb, String name) {
        return remembered(deb, name).map(this::used).orElseGet(() -> unpackNow(deb, name));
    }

    /** Every memo entry this cache served or made, in no particular order (unpacking runs on several threads). */
    public List<MemoUse> uses() {
        return List.copyOf(uses);
    }

    private Digest key(Digest deb) {
        return key(deb, limits);
    }

    /** The memo key of the .deb {@code deb} unpacked under {@code limits}. */
    public static Digest key(Digest deb, UnpackLimits limits) {
        return Digest.of(STEP.id() + "\n" + deb.hex() + "\n" + limits);
    }

    /** A package found in the memo, with the record that led to it. */
    private record Found(DebPackage pkg, Digest key, Digest record) {
    }

    private DebPackage used(Found f) {
        uses.add(new MemoUse(STEP, f.key(), f.record(), true));
        return f.pkg();
    }

    /** What a record names: the .deb it was written for and the unpacked blob, with its index's place and sha256. */
    public record Record(Digest deb, Digest blob, long indexAt, int indexLength, Digest index) {
    }

    /** The record's fields, if its bytes have the record's form (whether they hash to their name is the caller's to check). */
    public static Optional<Record> parseRecord(byte[] bytes) {
        try {
            String[] lines = new String(bytes, UTF_8).split("\n");
            if (lines.length != 4 || !lines[0].equals(RECORD) || !lines[1].startsWith("deb ")) {
                return Optional.empty();
            }
            String[] at = lines[2].split(" ");
            String[] index = lines[3].split(" ");
            if (at.length != 4 || !at[0].equals("blob") || index.length != 2 || !index[0].equals("index")) {
                return Optional.empty();
            }
            return Optional.of(new Record(Digest.parse(lines[1].substring(4)), Digest.parse(at[1]), Long.parseLong(at[2]),
                    Integer.parseInt(at[3]), Digest.parse(index[1])));
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }

    /**
     * The package from the memo, if it was unpacked before and its record holds: the record
     * hashes to its name and was written for this .deb, and the index it names (control data,
     * every entry, every file's sha256) hashes to the digest the record gives. Each file's bytes
     * are held to their sha256 when a layer reads them. Anything else is a miss, redone.
     */
    private Optional<Found> remembered(Digest deb, String name) {
        Digest key = key(deb);
        // from a shared cache, the files' bytes stay there until something reads them (a layer to write, a build root)
        Optional<Digest> recordDigest = store.memo(STEP, key, UnpackCache::later);
        Optional<Record> record = recordDigest.flatMap(store::readChecked).flatMap(UnpackCache::parseRecord)
                .filter(r -> r.deb().equals(deb));
        if (record.isEmpty()) {
            return Optional.empty();
        }
        Record r = record.get();
        try {
            Optional<Path> blob = store.blob(r.blob());
            Optional<Path> index = Optional.empty();
            if (blob.isEmpty()) {
                // the index alone, a blob of its own (an entry written before it was one: the whole blob now)
                index = store.blob(r.index()).or(() -> fetch(r.index(), r.indexLength()));
                if (index.isEmpty()) {
                    blob = fetch(r.blob(), blobSize(r));
                }
            }
            byte[] bytes;
            if (index.isPresent()) {
                bytes = Files.readAllBytes(index.get());
            } else if (blob.isPresent()) {
                bytes = readAt(blob.get(), r.indexAt(), r.indexLength());
            } else {
                return Optional.empty();
            }
            if (bytes.length != r.indexLength() || !Digest.of(bytes).equals(r.index())) {
                return Optional.empty();
            }
            Data data = store.contains(r.blob()) ? new Data(store.blobPath(r.blob())) : new Data(this, r, name);
            return Optional.of(new Found(decodeIndex(bytes, data, name, r.indexAt(), true), key, recordDigest.get()));
        } catch (IOException | RuntimeException damaged) {
            // a damaged record is redone; `kiln store verify` reports a damaged blob itself
            return Optional.empty();
        }
    }

    /** What a shared cache's entry may leave behind, given its record: the unpacked blob (its index is a blob of its own). */
    private static java.util.Set<Digest> later(byte[] record) {
        return parseRecord(record).map(r -> java.util.Set.of(r.blob())).orElse(java.util.Set.of());
    }

    /** The size of the unpacked blob {@code r} names: its data, its index and the index's offset. */
    private static long blobSize(Record r) {
        return r.indexAt() + r.indexLength() + 8;
    }

    /** The blob {@code d} from the shared cache, hashed as it streams, if it has it. */
    private Optional<Path> fetch(Digest d, long size) {
        return store.remote().fetchBlob(store, d, size) ? store.blob(d) : Optional.empty();
    }

    /**
     * Where a package's files' bytes are: its unpacked blob, here or (left in the shared cache with
     * only the index fetched) brought in on the first read, from the cache, else by unpacking the
     * .deb here, which gives the same blob.
     */
    private static final class Data {
        private final UnpackCache cache;
        private final Record record;
        private final String name;
        private Path path;

        Data(Path path) {
            this(null, null, null);
            this.path = path;
        }

        Data(UnpackCache cache, Record record, String name) {
            this.cache = cache;
            this.record = record;
            this.name = name;
        }

        /** The blob, for a message: where it is or will be. */
        Path named() {
            return path != null ? path : cache.store.blobPath(record.blob());
        }

        synchronized Path path() {
            if (path == null) {
                Digest blob = record.blob();
                if (cache.store.blob(blob).or(() -> cache.fetch(blob, blobSize(record))).isEmpty()) {
                    cache.unpackNow(record.deb(), name);
                }
                path = cache.store.blob(blob).orElseThrow(() -> damaged(cache.store.blobPath(blob), name,
                        "unpacking the .deb again gave another blob than the record names"));
            }
            return path;
        }
    }

    /** Unpacks the .deb now and records the result in the memo: the blob, and a record naming its index by sha256. */
    private DebPackage unpackNow(Digest deb, String name) {
        Digest key = key(deb);
        Digest blob;
        long indexAt;
        byte[] index;
        try (ContentStore.Staging staging = store.stage(null, -1)) {
            staging.write(MAGIC, 0, MAGIC.length);
            StagingSink sink = new StagingSink(staging);
            DebPackage pkg = new DebReader(limits, sink).read(store.blobPath(deb), name);
            indexAt = staging.length();
            index = encodeIndex(pkg);
            staging.write(index, 0, index.length);
            byte[] trailer = ByteBuffer.allocate(8).putLong(indexAt).array();
            staging.write(trailer, 0, trailer.length);
            blob = staging.commit();
        }
        String record = RECORD + "\ndeb " + deb + "\nblob " + blob + " " + indexAt + " " + index.length + "\nindex "
                + Digest.of(index) + "\n";
        Digest indexBlob = store.put(index); // a blob of its own too: a cache's reader needs no more to know the package
        Digest recorded = store.put(record.getBytes(UTF_8));
        store.putMemo(STEP, key, recorded, List.of(blob, deb, indexBlob)); // the .deb too: a cache holds what a lock pins
        uses.add(new MemoUse(STEP, key, recorded, false));
        return read(store.blobPath(blob), name, false); // every file was hashed on its way in
    }

    /**
     * Reads an unpacked blob back; its files' bytes stay on disk, {@link SliceContent#checked} when
     * {@code check}.
     */
    static DebPackage read(Path blob, String name, boolean check) {
        try {
            long size = Files.size(blob);
            if (size < MAGIC.length + 8) {
                throw damaged(blob, name, "shorter than its header and trailer");
            }
            byte[] head = readAt(blob, 0, MAGIC.length);
            if (!Arrays.equals(head, MAGIC)) {
                throw damaged(blob, name, "expected the header " + new String(MAGIC, UTF_8).strip());
            }
            long indexAt = ByteBuffer.wrap(readAt(blob, size - 8, 8)).getLong();
            if (indexAt < MAGIC.length || indexAt > size - 8 || size - 8 - indexAt > Integer.MAX_VALUE) {
                throw damaged(blob, name, "index offset " + indexAt + " outside the blob");
            }
            return decodeIndex(readAt(blob, indexAt, (int) (size - 8 - indexAt)), new Data(blob), name, indexAt, check);
        } catch (IOException e) {
            throw damaged(blob, name, e.toString());
        }
    }

    private static byte[] readAt(Path file, long position, int length) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(position);
            return in.readNBytes(length);
        }
    }

    private static AssembleException damaged(Path blob, String name, String problem) {
        return new AssembleException(StoreException.Kind.DAMAGED, name + ": the unpacked copy " + blob + " is damaged: " + problem
                + "\n  fix: repair the store (this removes what is damaged)");
    }

    private static byte[] encodeIndex(DebPackage pkg) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(pkg.control().size());
            for (Map.Entry<String, String> f : pkg.control().entrySet()) {
                writeString(out, f.getKey());
                writeString(out, f.getValue());
            }
            out.writeInt(pkg.controlMembers().size());
            for (Map.Entry<String, Content> m : pkg.controlMembers().entrySet()) {
                writeString(out, m.getKey());
                writeBytes(out, m.getValue().readAllBytes());
            }
            out.writeInt(pkg.data().size());
            for (Entry e : pkg.data()) {
                writeString(out, e.path());
                out.writeByte(e.type().code());
                out.writeInt(e.mode());
                out.writeLong(e.uid());
                out.writeLong(e.gid());
                out.writeLong(e.mtime());
                if (e.linkTarget() != null) {
                    writeString(out, e.linkTarget());
                }
                out.writeInt(e.xattrs().size());
                for (Map.Entry<String, ByteString> x : e.xattrs().entrySet()) {
                    writeString(out, x.getKey());
                    writeBytes(out, x.getValue().toByteArray());
                }
                if (e.type() == Entry.Type.FILE) {
                    Staged s = (Staged) e.content();
                    out.writeLong(s.offset);
                    out.writeLong(s.size);
                    out.write(s.digest.raw());
                }
            }
            out.writeInt(pkg.skipped().size());
            for (DebPackage.Skipped s : pkg.skipped()) {
                writeString(out, s.path());
                writeString(out, s.kind());
                writeString(out, s.reason());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static DebPackage decodeIndex(byte[] index, Data data, String name, long dataEnd, boolean check) throws IOException {
        Path blob = data.named();
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(index));
        Map<String, String> control = new LinkedHashMap<>();
        for (int i = count(in, blob, name); i > 0; i--) {
            control.put(readString(in), readString(in));
        }
        TreeMap<String, Content> members = new TreeMap<>();
        for (int i = count(in, blob, name); i > 0; i--) {
            members.put(readString(in), Content.of(readBytes(in)));
        }
        FileTree.Builder tree = FileTree.builder(name);
        List<Entry> hardlinks = new ArrayList<>();
        for (int i = count(in, blob, name); i > 0; i--) {
            String path = readString(in);
            int type = in.readUnsignedByte();
            Entry.Type t = Entry.Type.ofCode(type).orElseThrow(() -> damaged(blob, name, "an entry of unknown type " + type));
            int mode = in.readInt();
            long uid = in.readLong();
            long gid = in.readLong();
            long mtime = in.readLong();
            String link = t == Entry.Type.SYMLINK || t == Entry.Type.HARDLINK ? readString(in) : null;
            TreeMap<String, ByteString> xattrs = new TreeMap<>();
            for (int x = count(in, blob, name); x > 0; x--) {
                xattrs.put(readString(in), ByteString.of(readBytes(in)));
            }
            Content content = null;
            if (t == Entry.Type.FILE) {
                long offset = in.readLong();
                long size = in.readLong();
                byte[] raw = new byte[32];
                in.readFully(raw);
                if (offset < MAGIC.length || size < 0 || offset + size > dataEnd) {
                    throw damaged(blob, name, path + ": bytes " + offset + "+" + size + " outside the data");
                }
                content = data.path == null ? SliceContent.checked(data::path, offset, size, Digest.fromRaw(raw), name + ": " + path)
                        : check ? SliceContent.checked(blob, offset, size, Digest.fromRaw(raw), name + ": " + path)
                        : new SliceContent(blob, offset, size, Digest.fromRaw(raw));
            }
            Entry e;
            try {
                e = new Entry(path, t, mode, uid, gid, mtime, link, xattrs, content);
            } catch (IllegalArgumentException bad) {
                throw damaged(blob, name, bad.getMessage());
            }
            if (t == Entry.Type.HARDLINK) {
                hardlinks.add(e);
            } else {
                tree.add(e);
            }
        }
        hardlinks.forEach(tree::add);
        List<DebPackage.Skipped> skipped = new ArrayList<>();
        for (int i = count(in, blob, name); i > 0; i--) {
            skipped.add(new DebPackage.Skipped(readString(in), readString(in), readString(in)));
        }
        if (in.available() != 0) {
            throw damaged(blob, name, in.available() + " bytes after the index");
        }
        return new DebPackage(name, control, members, tree.build(), skipped);
    }

    private static int count(DataInputStream in, Path blob, String name) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw damaged(blob, name, "a count of " + n + " with " + in.available() + " bytes left");
        }
        return n;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s.getBytes(UTF_8));
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(readBytes(in), UTF_8);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new EOFException("a length of " + n + " with " + in.available() + " bytes left");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Appends each file's bytes to the staged blob, hashing them on the way. */
    private static final class StagingSink implements ContentSink {
        private final ContentStore.Staging staging;
        private final byte[] buffer = new byte[1 << 16];

        StagingSink(ContentStore.Staging staging) {
            this.staging = staging;
        }

        @Override
        public Content take(InputStream in) throws IOException {
            long offset = staging.length();
            MessageDigest sha256 = Digest.newSha256();
            long size = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
                staging.write(buffer, 0, n);
                size += n;
            }
            return new Staged(offset, size, Digest.fromRaw(sha256.digest()));
        }
    }

    /** A file's place in the blob being written; its bytes are read only after the blob is published. */
    private record Staged(long offset, long size, Digest digest) implements Content {
        @Override
        public InputStream open() {
            throw new IllegalStateException("the unpacked blob is not published yet");
        }
    }

    /**
     * Starts looking up, in the shared cache attached to {@code store}, the unpacked copies (under
     * {@code limits}) of the .debs {@code debs} that the store lacks, on {@value #REMOTE_THREADS}
     * threads, so that they arrive while the packages are fetched; nothing without a cache. Each
     * entry found is put into the store as {@link ContentStore#memo} does; {@link Prefetch#await}
     * waits for them, {@link Prefetch#close} stops what is left.
     */
    public static Prefetch prefetch(ContentStore store, UnpackLimits limits, java.util.Collection<Digest> debs) {
        if (store.remote() == dev.kiln.store.RemoteStore.NONE || debs.isEmpty()) {
            return new Prefetch(null, List.of());
        }
        java.util.concurrent.ExecutorService pool = pool(Math.min(debs.size(), REMOTE_THREADS), "kiln-unpack-prefetch");
        List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
        for (Digest deb : new java.util.LinkedHashSet<>(debs)) {
            futures.add(pool.submit(() -> store.memo(STEP, key(deb, limits), UnpackCache::later)));
        }
        pool.shutdown();
        return new Prefetch(pool, futures);
    }

    /** Lookups started by {@link #prefetch}. */
    public static final class Prefetch implements AutoCloseable {
        private final java.util.concurrent.ExecutorService pool;
        private final List<java.util.concurrent.Future<?>> futures;

        private Prefetch(java.util.concurrent.ExecutorService pool, List<java.util.concurrent.Future<?>> futures) {
            this.pool = pool;
            this.futures = futures;
        }

        /** Waits for every lookup; one that failed (the store could not be written) throws. */
        public void await() {
            results(futures, "looking up unpacked packages");
        }

        /** Stops the lookups still running (after a failed fetch), and waits for them to let go of the store. */
        @Override
        public void close() {
            if (pool != null) {
                stop(pool);
            }
        }
    }

    /** The threads that unpack when a shared cache is attached: mostly waiting for the registry, not working. */
    private static final int REMOTE_THREADS = 8;

    /**
     * {@link #unpack(Lock.Package)} for every package, on as many threads as there are processors
     * (at least {@value #REMOTE_THREADS} with a shared cache attached, whose lookups wait on the
     * network); the results in the order given. When one fails the others stop and nothing of
     * theirs is left staged.
     */
    public List<DebPackage> unpackAll(List<Lock.Package> packages) {
        int cpus = Runtime.getRuntime().availableProcessors();
        int wanted = store.remote() == dev.kiln.store.RemoteStore.NONE ? cpus : Math.max(cpus, REMOTE_THREADS);
        int threads = Math.max(1, Math.min(packages.size(), wanted));
        java.util.concurrent.ExecutorService pool = pool(threads, "kiln-unpack");
        try {
            // the largest first, so that no thread is left with one big package at the end; results in lock order
            List<java.util.concurrent.Future<DebPackage>> futures = new ArrayList<>(java.util.Collections.nCopies(packages.size(), null));
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < packages.size(); i++) {
                order.add(i);
            }
            order.sort(java.util.Comparator.comparingLong((Integer i) -> packages.get(i).size()).reversed());
            for (int i : order) {
                Lock.Package p = packages.get(i);
                futures.set(i, pool.submit(() -> unpack(p)));
            }
            return results(futures, "unpacking");
        } finally {
            // when one package failed, the others stop at their next write into the store (staging
            // is interruptible) and remove what they staged; none is left writing when this returns
            stop(pool);
        }
    }

    private static java.util.concurrent.ExecutorService pool(int threads, String name) {
        return java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** What each task gave, in order; the first that failed throws what it threw ({@code doing} names the work). */
    private static <T> List<T> results(List<? extends java.util.concurrent.Future<? extends T>> futures, String doing) {
        List<T> out = new ArrayList<>();
        try {
            for (java.util.concurrent.Future<? extends T> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssembleException(doing + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssembleException("interrupted while " + doing, e);
        }
    }

    /** Interrupts what still runs on {@code pool} and waits for it to end. */
    private static void stop(java.util.concurrent.ExecutorService pool) {
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
