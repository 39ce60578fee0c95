package dev.kiln.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The content-addressed store on disk. Immutable byte strings live under {@code blobs/sha256/<hex>};
 * small named records (memo entries, per-suite state) under {@code memo/} and {@code state/}.
 * Every write is staged in {@code tmp/}, hashed while written, fsynced and renamed into place, so
 * a reader only ever sees whole, verified files, and "already there" counts as success. Unlike
 * {@link AtomicFile}, the directory is not fsynced after the rename: a rename a crash loses is a
 * cache miss (fetched or computed again), never a torn file, and staging in {@code tmp/} (not
 * beside the target) keeps leftovers where {@link StoreGc} finds them.
 *
 * <p>Several processes may use one store at once: each open store holds the lock file
 * {@code store.lock} shared until {@link #close()} (or until the JVM exits), and {@link StoreGc}
 * and {@link StoreVerifier} repair take it exclusively. {@code roots/} registers the files (lockfiles,
 * later image layouts) whose blobs gc keeps.
 */
public final class ContentStore implements AutoCloseable {
    /** How long {@link #open(Path)} waits for a gc or repair in another process to finish. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMinutes(10);

    private static final String LAYOUT_VERSION = "1";

    private final Path root;
    private final Path blobs;
    private final Path tmp;
    private final Path memo;
    private final Path state;
    private final Path roots;
    private final Path dirs;
    private final StoreLock lock;
    private final StoreListener listener;
    private volatile boolean closed;
    private volatile RemoteStore remote = RemoteStore.NONE;
    /** The shared memos made in this session (only with a remote attached): what it is sent after success. */
    private final java.util.Queue<RemoteStore.Made> made = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private ContentStore(Path root, StoreLock lock, StoreListener listener) {
        this.root = root;
        this.blobs = root.resolve("blobs").resolve("sha256");
        this.tmp = root.resolve("tmp");
        this.memo = root.resolve("memo");
        this.state = root.resolve("state");
        this.roots = root.resolve("roots");
        this.dirs = root.resolve("dirs");
        this.lock = lock;
        this.listener = listener;
    }

    /**
     * Opens (creating if needed) the store at {@code root} and holds it shared until {@link #close()}.
     * If another process is collecting garbage or repairing it, waits up to {@link #DEFAULT_LOCK_TIMEOUT}
     * without saying so (see {@link #open(Path, Duration, StoreListener)}).
     */
    public static ContentStore open(Path root) {
        return open(root, DEFAULT_LOCK_TIMEOUT, StoreListener.NONE);
    }

    /**
     * Opens the store, waiting at most {@code lockTimeout} for a gc or repair in another process;
     * {@code waiting} hears once why it waits. A timeout is a {@link StoreException} naming the holder.
     */
    public static ContentStore open(Path root, Duration lockTimeout, Consumer<String> waiting) {
        Objects.requireNonNull(waiting, "waiting");
        return open(root, lockTimeout, new StoreListener() {
            @Override
            public void waiting(String why) {
                waiting.accept(why);
            }
        });
    }

    /**
     * Opens the store, waiting at most {@code lockTimeout} for a gc or repair in another process;
     * {@code listener} hears once why it waits, and of every blob removed because it held other bytes.
     */
    public static ContentStore open(Path root, Duration lockTimeout, StoreListener listener) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        Objects.requireNonNull(listener, "listener");
        Path abs = root.toAbsolutePath().normalize();
        StoreLock lock;
        try {
            Files.createDirectories(abs);
            lock = StoreLock.of(abs.resolve("store.lock"));
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.CANNOT_CREATE, "cannot create the store at " + abs + ": "
                    + IoErrors.why(e) + "\n  expected: a writable directory (or give the store another one)", e);
        }
        lock.acquireShared(lockTimeout, listener::waiting);
        ContentStore s = new ContentStore(abs, lock, listener);
        try {
            Files.createDirectories(s.blobs);
            Files.createDirectories(s.tmp);
            Files.createDirectories(s.memo);
            Files.createDirectories(s.state);
            Files.createDirectories(s.roots);
            Path marker = s.root.resolve("kiln-store");
            if (!Files.exists(marker)) {
                s.writeAtomically(marker, ("kiln store layout " + LAYOUT_VERSION + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            s.close();
            throw new StoreException(StoreException.Kind.CANNOT_CREATE, "cannot create the store at " + s.root + ": "
                    + IoErrors.why(e) + "\n  expected: a writable directory (or give the store another one)", e);
        }
        return s;
    }

    /** Lets go of the shared lock; later writes through this handle fail. Closing twice is fine. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            lock.releaseShared();
        }
    }

    /** Held while gc or repair runs; closing it returns to the shared hold of this handle. */
    final class Exclusive implements AutoCloseable {
        private final Consumer<String> waiting;
        private boolean released;

        private Exclusive(Consumer<String> waiting) {
            this.waiting = waiting;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                lock.releaseExclusive(waiting);
            }
        }
    }

    /** Waits until no other process (and no other handle in this one) uses the store, then holds it alone. */
    Exclusive exclusive(Duration timeout, Consumer<String> waiting) {
        ensureOpen();
        lock.acquireExclusive(timeout, waiting);
        return new Exclusive(waiting);
    }

    public Path root() {
        return root;
    }

    Path blobsDir() {
        return blobs;
    }

    Path tmpDir() {
        return tmp;
    }

    Path memoDir() {
        return memo;
    }

    Path stateDir() {
        return state;
    }

    Path rootsDir() {
        return roots;
    }

    Path dirsDir() {
        return dirs;
    }

    /**
     * The area of recipe builds' cache mounts: {@code caches/ID/} with {@code caches/ID.lock}
     * beside it. Never part of any output or key; gc keeps it unless told to drop caches.
     */
    public Path cachesDir() {
        return root.resolve("caches");
    }

    /** The area of recipe builds' logs: {@code logs/RECIPE/KEY.log} and {@code logs/RECIPE/last.log}. */
    public Path logsDir() {
        return root.resolve("logs");
    }

    /**
     * Where the directory published for {@code blob} lives ({@code dirs/<hex>}); it may not exist.
     * Such a directory (a build environment's root written out) belongs to its blob: gc deletes it
     * with the blob, so a memo record leading to the blob leads to the directory too.
     */
    public Path directory(Digest blob) {
        return dirs.resolve(blob.hex());
    }

    /**
     * A new empty directory under {@code tmp/} to fill and then {@link #publishDirectory publish};
     * removed at shutdown unless published first, and by gc when a killed process left it.
     */
    public Path stageDirectory() {
        ensureOpen();
        try {
            Files.createDirectories(tmp);
            Path d = Files.createTempDirectory(tmp, "stage-dir-");
            ExitCleanup.add(d);
            return d;
        } catch (IOException e) {
            throw writeFailure("cannot stage a directory in " + tmp, e);
        }
    }

    /**
     * Publishes a filled staging directory as {@link #directory(Digest) directory(blob)} by one
     * rename: a directory there is always whole. True if this call published it; false if one was
     * there already (another process published it first: that is success, and {@code staged} is
     * removed). The blob must be in the store, or the directory would be gc's at once.
     */
    public boolean publishDirectory(Path staged, Digest blob) {
        ensureOpen();
        if (!contains(blob)) {
            throw new StoreException("cannot publish a directory for " + blob + ": the store does not hold that blob");
        }
        Path target = directory(blob);
        try {
            Files.createDirectories(dirs);
            try {
                Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
                ExitCleanup.remove(staged);
                return true;
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the store's tmp/ and dirs/ must be on one filesystem", e);
            } catch (java.nio.file.FileSystemException e) {
                // rename(2) over a non-empty directory fails (ENOTEMPTY, EEXIST): another process published it first
                if (!Files.isDirectory(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
                ExitCleanup.discard(staged);
                return false;
            }
        } catch (IOException e) {
            throw writeFailure("cannot publish a directory into the store at " + root, e);
        }
    }

    /** Deletes a published directory (one found damaged), read-only parts too; absent is fine. */
    public void deleteDirectory(Digest blob) {
        ensureOpen();
        try {
            ExitCleanup.discard(directory(blob));
        } catch (IOException e) {
            throw writeFailure("cannot delete " + directory(blob), e);
        }
    }

    /** Where the blob would live; it may not exist. */
    public Path blobPath(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    public boolean contains(Digest digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    /** The blob's path if the store has it. */
    public Optional<Path> blob(Digest digest) {
        Path p = blobPath(digest);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /**
     * The bytes of a small blob (a memo record, a listing), if the store has it and they hash to its
     * name. A blob that holds other bytes is removed (so the step that wrote it runs again) and
     * gives empty, as an absent one does: memo records are held to their names wherever they
     * shape what kiln makes.
     */
    public Optional<byte[]> readChecked(Digest digest) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(blobPath(digest));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("cannot read blob " + digest + ": " + IoErrors.why(e), e);
        }
        if (Digest.of(bytes).equals(digest)) {
            return Optional.of(bytes);
        }
        recheck(digest);
        return Optional.empty();
    }

    /**
     * Hashes the blob named {@code digest} again: a name is not a proof, and a store restored from a
     * CI cache or shared with others can hold other bytes under it. When it does, the blob is
     * removed, so that whatever needs it fetches or computes it again, and what it held is
     * returned; a good or absent blob gives empty.
     */
    public Optional<Digest> recheck(Digest digest) {
        ensureOpen();
        Path blob = blobPath(digest);
        Digest found;
        try {
            found = hash(blob);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("cannot read blob " + digest + ": " + IoErrors.why(e), e);
        }
        if (found.equals(digest)) {
            return Optional.empty();
        }
        try {
            evict(blob, digest);
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.DAMAGED, "the store's blob " + digest + " holds other bytes (" + found
                    + ") and cannot be removed: " + IoErrors.why(e) + "\n  fix: repair the store (this removes what is damaged)",
                    e);
        }
        listener.removed(digest, found);
        return Optional.of(found);
    }

    /**
     * Removes a blob found to hold other bytes than its name says. Another process may publish the
     * right bytes under the name at any moment (an atomic rename replaces the file), so the blob is
     * moved aside and hashed again there: the right bytes go back, the wrong ones are deleted.
     */
    void evict(Path blob, Digest digest) throws IOException {
        Path aside = stage();
        try {
            try {
                Files.move(blob, aside, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (NoSuchFileException gone) {
                return;
            }
            if (hash(aside).equals(digest)) {
                publish(aside, digest);
            }
        } finally {
            ExitCleanup.discard(aside);
        }
    }

    private static Digest hash(Path file) throws IOException {
        MessageDigest md = Digest.newSha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return Digest.fromRaw(md.digest());
    }

    public byte[] read(Digest digest) {
        try {
            return Files.readAllBytes(blobPath(digest));
        } catch (NoSuchFileException e) {
            throw new StoreException(StoreException.Kind.MISSING,
                    "the store has no blob " + digest + " (looked in " + blobs + ")", e);
        } catch (IOException e) {
            throw new StoreException("cannot read blob " + digest + ": " + IoErrors.why(e), e);
        }
    }

    public Digest put(byte[] bytes) {
        ensureOpen();
        Digest d = Digest.of(bytes);
        if (contains(d)) {
            return d;
        }
        try {
            Path staged = stage();
            try {
                try (FileChannel ch = FileChannel.open(staged, StandardOpenOption.WRITE)) {
                    writeFully(ch, bytes);
                    ch.force(true);
                }
                publish(staged, d);
            } finally {
                ExitCleanup.discard(staged);
            }
        } catch (IOException e) {
            throw writeFailure("cannot write a blob (" + bytes.length + " bytes) into the store at " + root, e);
        }
        return d;
    }

    /**
     * Copies a stream into the store, hashing as it goes. With an expected digest (and size, or -1),
     * bytes that do not match are never published: the staged file is removed and a
     * {@link StoreException} says what was expected and found.
     */
    public Digest put(InputStream in, Digest expected, long expectedSize) {
        ensureOpen();
        if (expected != null && contains(expected)) {
            return expected;
        }
        Path staged = null;
        try {
            staged = stage();
            MessageDigest md = Digest.newSha256();
            long n;
            try (OutputStream raw = Files.newOutputStream(staged, StandardOpenOption.WRITE);
                 DigestOutputStream out = new DigestOutputStream(raw, md)) {
                n = copy(in, out, expectedSize);
            }
            Digest actual = Digest.fromRaw(md.digest());
            if (expectedSize >= 0 && n != expectedSize) {
                throw new StoreException(StoreException.Kind.MISMATCH,
                        "size mismatch: expected " + expectedSize + " bytes, found " + n);
            }
            if (expected != null && !expected.equals(actual)) {
                throw new StoreException(StoreException.Kind.MISMATCH,
                        "content mismatch: expected " + expected + ", found " + actual);
            }
            try (FileChannel ch = FileChannel.open(staged, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            publish(staged, actual);
            return actual;
        } catch (IOException e) {
            throw writeFailure("cannot write a blob into the store at " + root, e);
        } finally {
            if (staged != null) {
                try {
                    ExitCleanup.discard(staged);
                } catch (IOException ignored) {
                    // a leftover in tmp/ is harmless: it is never read as a blob
                }
            }
        }
    }

    /**
     * Starts writing a blob whose digest is known in advance (a download pinned by a lock). Bytes
     * are appended and hashed as they come; after a dropped connection the caller can resume at
     * {@link Staging#length()}. Only {@link Staging#commit()} publishes, and only if size and
     * digest match; {@link Staging#close()} without commit removes the staged file.
     */
    public Staging stage(Digest expected, long expectedSize) {
        ensureOpen();
        try {
            return new Staging(stage(), expected, expectedSize);
        } catch (IOException e) {
            throw writeFailure("cannot stage a blob in " + tmp, e);
        }
    }

    /** A blob being written: see {@link #stage(Digest, long)}. */
    public final class Staging implements AutoCloseable {
        private final Path file;
        private final Digest expected;
        private final long expectedSize;
        private final MessageDigest md = Digest.newSha256();
        private final OutputStream out;
        private long length;

        private Staging(Path file, Digest expected, long expectedSize) throws IOException {
            this.file = file;
            this.expected = expected;
            this.expectedSize = expectedSize;
            this.out = new java.io.BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.WRITE), 1 << 16);
        }

        /** Bytes written so far: where a resumed download starts. */
        public long length() {
            return length;
        }

        /**
         * Appends bytes. Refuses (and writes nothing) once the total would pass the expected size, so a
         * server that sends more than the lock says cannot fill the disk.
         */
        public void write(byte[] b, int off, int len) {
            if (expectedSize >= 0 && length + len > expectedSize) {
                throw new StoreException(StoreException.Kind.MISMATCH,
                        "size mismatch: expected " + expectedSize + " bytes, found more ("
                        + (length + len) + " so far)");
            }
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw writeFailure("cannot write a blob into the store at " + root, e);
            }
            md.update(b, off, len);
            length += len;
        }

        /** Verifies size and digest, fsyncs and publishes; a mismatch publishes nothing. */
        public Digest commit() {
            try {
                out.flush();
                out.close();
                Digest actual = Digest.fromRaw(md.digest());
                if (expectedSize >= 0 && length != expectedSize) {
                    throw new StoreException(StoreException.Kind.MISMATCH,
                            "size mismatch: expected " + expectedSize + " bytes, found " + length);
                }
                if (expected != null && !expected.equals(actual)) {
                    throw new StoreException(StoreException.Kind.MISMATCH,
                            "content mismatch: expected " + expected + ", found " + actual);
                }
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                publish(file, actual);
                return actual;
            } catch (IOException e) {
                throw writeFailure("cannot publish a blob into the store at " + root, e);
            } finally {
                close();
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException ignored) {
                // the staged file is removed below either way
            }
            try {
                ExitCleanup.discard(file);
            } catch (IOException ignored) {
                // a leftover in tmp/ is never read as a blob
            }
        }
    }

    /**
     * Attaches the remote store this store asks on a miss (a memo of a shared step, a blob a fetch
     * needs) and records the shared memos made from now on for it ({@link #drainMade}).
     */
    public void attach(RemoteStore r) {
        this.remote = Objects.requireNonNull(r, "remote");
    }

    /** The remote store attached ({@link RemoteStore#NONE} unless one was). */
    public RemoteStore remote() {
        return remote;
    }

    /**
     * Looks up a memo record: the output digest of step {@code step} for input key {@code key}. On
     * a miss of a {@linkplain MemoStep#shared() shared} step, the attached remote store is asked.
     */
    public Optional<Digest> memo(MemoStep step, Digest key) {
        return memo(step, key, value -> java.util.Set.of());
    }

    /**
     * {@link #memo(MemoStep, Digest)}, a remote store leaving behind the blobs {@code later} names
     * from the value's bytes ({@link RemoteStore#memo(ContentStore, MemoStep, Digest, java.util.function.Function)}):
     * the caller brings them in when it reads them.
     */
    public Optional<Digest> memo(MemoStep step, Digest key, java.util.function.Function<byte[], java.util.Set<Digest>> later) {
        Optional<Digest> local = memo(step.id(), key);
        if (local.isPresent() || !step.shared() || remote == RemoteStore.NONE) {
            return local;
        }
        return remote.memo(this, step, key, later);
    }

    /** A memo record of this store only: the attached remote store is not asked (gc, and what is sent to it, read this). */
    public Optional<Digest> localMemo(MemoStep step, Digest key) {
        return memo(step.id(), key);
    }

    /** Records that step {@code step} gave {@code value} for input key {@code key}; its value refers to no other blob. */
    public void putMemo(MemoStep step, Digest key, Digest value) {
        putMemo(step, key, value, List.of());
    }

    /**
     * Records that step {@code step} gave {@code value} for input key {@code key}; {@code blobs} are
     * the blobs the value names (a layer, an unpacked package, built packages), which a remote store
     * is sent with it.
     */
    public void putMemo(MemoStep step, Digest key, Digest value, List<Digest> blobs) {
        putMemo(step.id(), key, value);
        if (step.shared() && remote != RemoteStore.NONE) {
            made.add(new RemoteStore.Made(step, key, value, blobs));
        }
    }

    /** Records a memo a remote store gave (its value and the blobs it did not leave behind already here): not sent back. */
    public void putMemoFetched(MemoStep step, Digest key, Digest value) {
        putMemo(step.id(), key, value);
    }

    /** The shared memos made since the last call (with a remote attached), each once. */
    public List<RemoteStore.Made> drainMade() {
        List<RemoteStore.Made> out = new ArrayList<>();
        for (RemoteStore.Made m; (m = made.poll()) != null; ) {
            out.add(m);
        }
        return out;
    }

    Optional<Digest> memo(String step, Digest key) {
        Path p = memo.resolve(step).resolve(key.hex());
        try {
            String text = Files.readString(p, StandardCharsets.US_ASCII).trim();
            Digest d = Digest.parse(text);
            return contains(d) ? Optional.of(d) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            // a damaged record is a cache miss, not an error: the step is recomputed
            return Optional.empty();
        }
    }

    void putMemo(String step, Digest key, Digest value) {
        checkName(step);
        ensureOpen();
        try {
            Path dir = memo.resolve(step);
            Files.createDirectories(dir);
            writeAtomically(dir.resolve(key.hex()), (value + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw writeFailure("cannot record memo " + step + "/" + key.shortHex(), e);
        }
    }

    /** A small named state record (for example the newest Release date seen for a suite). */
    public Optional<String> state(String kind, Digest key) {
        try {
            return Optional.of(Files.readString(state.resolve(kind).resolve(key.hex()), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("cannot read state " + kind + "/" + key.shortHex() + ": " + IoErrors.why(e), e);
        }
    }

    public void putState(String kind, Digest key, String value) {
        checkName(kind);
        ensureOpen();
        try {
            Path dir = state.resolve(kind);
            Files.createDirectories(dir);
            writeAtomically(dir.resolve(key.hex()), value.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw writeFailure("cannot write state " + kind + "/" + key.shortHex(), e);
        }
    }

    /**
     * Registers {@code file} (a lockfile, later an image layout) as a gc root: while it exists, gc keeps
     * every blob it refers to. The record is {@code roots/<sha256 of the absolute path>} holding that
     * path, so registering again is a no-op.
     */
    public void addRoot(Path file) {
        ensureOpen();
        Path abs = file.toAbsolutePath().normalize();
        String text = abs.toString();
        Path record = roots.resolve(Digest.of(text).hex());
        try {
            if (Files.isRegularFile(record) && Files.readString(record, StandardCharsets.UTF_8).equals(text)) {
                return;
            }
            Files.createDirectories(roots);
            writeAtomically(record, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw writeFailure("cannot register " + abs + " as a root of the store at " + root, e);
        }
    }

    /** Unregisters a root; true if it was registered. */
    public boolean removeRoot(Path file) {
        ensureOpen();
        String text = file.toAbsolutePath().normalize().toString();
        try {
            return Files.deleteIfExists(roots.resolve(Digest.of(text).hex()));
        } catch (IOException e) {
            throw new StoreException("cannot unregister the root " + text + ": " + IoErrors.why(e), e);
        }
    }

    /** The registered root files, sorted, whether or not they still exist. Malformed records are skipped. */
    public List<Path> roots() {
        List<Path> out = new ArrayList<>();
        for (RootRecord r : rootRecords()) {
            r.file().ifPresent(out::add);
        }
        out.sort(null);
        return out;
    }

    /** One file under {@code roots/}: the path it names if the record is well formed. */
    record RootRecord(Path record, Optional<Path> file, String problem) {
    }

    List<RootRecord> rootRecords() {
        List<RootRecord> out = new ArrayList<>();
        if (!Files.isDirectory(roots)) {
            return out;
        }
        try (Stream<Path> s = Files.list(roots)) {
            for (Path record : s.sorted().toList()) {
                out.add(readRootRecord(record));
            }
        } catch (IOException e) {
            throw new StoreException("cannot list the roots in " + roots + ": " + IoErrors.why(e), e);
        }
        return out;
    }

    private static RootRecord readRootRecord(Path record) {
        String name = record.getFileName().toString();
        if (!Files.isRegularFile(record)) {
            return new RootRecord(record, Optional.empty(), "not a file");
        }
        try {
            String text = Files.readString(record, StandardCharsets.UTF_8);
            Path p = Path.of(text);
            if (!p.isAbsolute()) {
                return new RootRecord(record, Optional.empty(), "holds '" + abbreviate(text) + "', not an absolute path");
            }
            if (!Digest.of(text).hex().equals(name)) {
                return new RootRecord(record, Optional.empty(), "is not named by the sha256 of the path it holds ("
                        + abbreviate(text) + ")");
            }
            return new RootRecord(record, Optional.of(p), null);
        } catch (IOException | java.nio.file.InvalidPathException e) {
            return new RootRecord(record, Optional.empty(), "unreadable: " + e.getMessage());
        }
    }

    static String abbreviate(String s) {
        String one = s.replaceAll("[\\p{Cntrl}]", "?");
        return one.length() > 80 ? one.substring(0, 77) + "..." : one;
    }

    private Path stage() throws IOException {
        Files.createDirectories(tmp);
        return ExitCleanup.createTempFile(tmp, "stage-", ".part"); // gone at shutdown unless published first
    }

    private void publish(Path staged, Digest d) throws IOException {
        Path target = blobPath(d);
        try {
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            ExitCleanup.remove(staged);
        } catch (FileAlreadyExistsException e) {
            // another process published the same bytes first: that is success
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the store's tmp/ and blobs/ must be on one filesystem", e);
        }
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path staged = stage();
        try {
            try (FileChannel ch = FileChannel.open(staged, StandardOpenOption.WRITE)) {
                writeFully(ch, bytes);
                ch.force(true);
            }
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            ExitCleanup.discard(staged);
        }
    }

    /** A file channel may write less than asked (a filesystem running full): loop until done or an error. */
    private static void writeFully(FileChannel ch, byte[] bytes) throws IOException {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreException("the store at " + root + " was closed; open it again to write");
        }
    }

    /** A write error, said plainly when it is the disk being full, with what to do about it. */
    StoreException writeFailure(String what, IOException e) {
        if (isDiskFull(e)) {
            String free = "";
            try {
                free = "; " + StoreInventory.humanSize(Files.getFileStore(root).getUsableSpace()) + " free there now";
            } catch (IOException | RuntimeException ignored) {
                // the message stands without the figure
            }
            return new StoreException(StoreException.Kind.DISK_FULL, what + ": the disk is full (no space left on the"
                    + " filesystem holding " + root + free + ")\n  fix: free space there ('kiln store gc' deletes blobs no"
                    + " lockfile uses), or put the store on another filesystem", e);
        }
        return new StoreException(what + ": " + IoErrors.why(e), e);
    }

    static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded")
                    || m.contains("not enough space"))) {
                return true;
            }
        }
        return false;
    }

    private static long copy(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int r; (r = in.read(buf)) > 0; ) {
            total += r;
            if (limit >= 0 && total > limit) {
                throw new StoreException(StoreException.Kind.MISMATCH, "size mismatch: expected " + limit + " bytes, found more");
            }
            out.write(buf, 0, r);
        }
        return total;
    }

    private static void checkName(String name) {
        if (!name.matches("[a-z0-9][a-z0-9.-]*")) {
            throw new IllegalArgumentException("record kinds are lowercase words, found '" + name + "'");
        }
    }
}
